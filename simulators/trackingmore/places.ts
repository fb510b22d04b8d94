/**
 * Real cities (with a plausible postcode and the standard-time UTC offset) that scripted journeys move
 * parcels through. Offsets ignore daylight saving on purpose: journeys must render identically
 * whatever the date the tests run on.
 */

export interface Place {
  city: string;
  state: string;
  zip: string;
  countryIso2: string;
  utcOffsetMinutes: number;
}

function places(countryIso2: string, utcOffsetMinutes: number, rows: Array<[city: string, state: string, zip: string]>): Place[] {
  return rows.map(([city, state, zip]) => ({ city, state, zip, countryIso2, utcOffsetMinutes }));
}

export const PLACES_BY_COUNTRY: Readonly<Record<string, readonly Place[]>> = {
  US: [
    ...places("US", -480, [["LOS ANGELES", "CA", "90052"], ["SEATTLE", "WA", "98134"]]),
    ...places("US", -360, [["CHICAGO", "IL", "60607"], ["MEMPHIS", "TN", "38118"], ["DALLAS", "TX", "75260"]]),
    ...places("US", -300, [["LOUISVILLE", "KY", "40209"], ["NEW YORK", "NY", "10001"], ["ATLANTA", "GA", "30320"]]),
  ],
  CA: [
    ...places("CA", -300, [["TORONTO", "ON", "M5W 1A1"], ["MISSISSAUGA", "ON", "L5T 2T7"], ["MONTREAL", "QC", "H3C 1A1"]]),
    ...places("CA", -480, [["VANCOUVER", "BC", "V6B 3P7"]]),
    ...places("CA", -420, [["CALGARY", "AB", "T2P 2G8"]]),
  ],
  GB: places("GB", 0, [["LONDON", "", "E1 6AN"], ["BIRMINGHAM", "", "B5 4BU"], ["MANCHESTER", "", "M1 1AA"], ["LEEDS", "", "LS1 1UR"], ["GLASGOW", "", "G2 1AA"]]),
  IE: places("IE", 0, [["DUBLIN", "", "D01 F5P2"], ["CORK", "", "T12 X70A"], ["ATHLONE", "", "N37 A0C8"]]),
  AU: [
    ...places("AU", 600, [["SYDNEY", "NSW", "2000"], ["MELBOURNE", "VIC", "3000"], ["BRISBANE", "QLD", "4000"]]),
    ...places("AU", 480, [["PERTH", "WA", "6000"]]),
  ],
  NZ: places("NZ", 720, [["AUCKLAND", "", "1010"], ["WELLINGTON", "", "6011"], ["CHRISTCHURCH", "", "8011"]]),
  DE: places("DE", 60, [["BERLIN", "", "10115"], ["LEIPZIG", "", "04109"], ["HAMBURG", "", "20095"], ["FRANKFURT AM MAIN", "", "60311"], ["MUENCHEN", "", "80331"]]),
  NL: places("NL", 60, [["AMSTERDAM", "", "1012 AB"], ["UTRECHT", "", "3511 AB"], ["ROTTERDAM", "", "3011 AA"], ["DEN HAAG", "", "2511 AA"]]),
  BE: places("BE", 60, [["BRUXELLES", "", "1000"], ["ANTWERPEN", "", "2000"], ["LIEGE", "", "4000"]]),
  FR: places("FR", 60, [["PARIS", "", "75001"], ["LYON", "", "69001"], ["MARSEILLE", "", "13001"], ["LILLE", "", "59000"]]),
  ES: places("ES", 60, [["MADRID", "", "28001"], ["BARCELONA", "", "08001"], ["VALENCIA", "", "46001"]]),
  IT: places("IT", 60, [["MILANO", "", "20121"], ["ROMA", "", "00184"], ["BOLOGNA", "", "40121"]]),
  CH: places("CH", 60, [["ZUERICH", "", "8001"], ["BERN", "", "3011"], ["GENEVE", "", "1201"]]),
  AT: places("AT", 60, [["WIEN", "", "1010"], ["GRAZ", "", "8010"], ["LINZ", "", "4020"]]),
  PL: places("PL", 60, [["WARSZAWA", "", "00-001"], ["KRAKOW", "", "30-001"], ["LODZ", "", "90-001"]]),
  SE: places("SE", 60, [["STOCKHOLM", "", "111 20"], ["GOETEBORG", "", "411 03"], ["MALMOE", "", "211 20"]]),
  AE: places("AE", 240, [["DUBAI", "", "00000"], ["ABU DHABI", "", "00000"], ["SHARJAH", "", "00000"]]),
  CN: places("CN", 480, [["SHENZHEN", "GUANGDONG", "518000"], ["GUANGZHOU", "GUANGDONG", "510000"], ["SHANGHAI", "SHANGHAI", "200000"], ["YIWU", "ZHEJIANG", "322000"], ["BEIJING", "BEIJING", "100000"]]),
  HK: places("HK", 480, [["KOWLOON", "", ""], ["TSUEN WAN", "", ""], ["CENTRAL", "", ""]]),
  SG: places("SG", 480, [["JURONG", "", "608831"], ["CHANGI", "", "819663"], ["TAMPINES", "", "529510"]]),
  JP: places("JP", 540, [["TOKYO", "", "100-0001"], ["OSAKA", "", "530-0001"], ["NAGOYA", "", "450-0002"]]),
  KR: places("KR", 540, [["SEOUL", "", "04524"], ["BUSAN", "", "48058"], ["INCHEON", "", "22382"]]),
  IN: places("IN", 330, [["MUMBAI", "MH", "400001"], ["NEW DELHI", "DL", "110001"], ["BENGALURU", "KA", "560001"]]),
  BR: places("BR", -180, [["SAO PAULO", "SP", "01000-000"], ["CURITIBA", "PR", "80010-000"], ["RIO DE JANEIRO", "RJ", "20010-000"]]),
};

export const COUNTRY_NAMES: Readonly<Record<string, string>> = {
  US: "United States", CA: "Canada", GB: "United Kingdom", IE: "Ireland", AU: "Australia", NZ: "New Zealand",
  DE: "Germany", NL: "Netherlands", BE: "Belgium", FR: "France", ES: "Spain", IT: "Italy", CH: "Switzerland",
  AT: "Austria", PL: "Poland", SE: "Sweden", AE: "United Arab Emirates", CN: "China", HK: "Hong Kong",
  SG: "Singapore", JP: "Japan", KR: "Korea, Republic of", IN: "India", BR: "Brazil",
};

export function placesIn(countryIso2: string | null | undefined): readonly Place[] | undefined {
  return countryIso2 ? PLACES_BY_COUNTRY[countryIso2.toUpperCase()] : undefined;
}

/** How carriers print a place in `location`, e.g. `LOS ANGELES CA` or `LONDON, GB`. */
export function formatLocation(place: Place): string {
  return place.state && place.countryIso2 === "US" ? `${place.city} ${place.state}` : `${place.city}, ${place.countryIso2}`;
}
