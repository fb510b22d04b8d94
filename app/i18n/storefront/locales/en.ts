/**
 * English, the reference storefront catalogue: what a customer reads on the tracking page that
 * changes with their parcel (headlines, actions, progress, estimates). Static page chrome (form
 * labels, section headings) lives in the theme extension's locale files instead.
 */
export const en = {
  format: {
    /** {weekday}, {day} and {month} are the language's own names from Intl. */
    longDate: "{weekday}, {day} {month}",
    dayMonth: "{day} {month}",
    /** A range within one month. */
    dayRange: "{startDay}–{endDay} {month}",
    /** A range across months: {start} and {end} are `dayMonth`s. */
    dateRange: "{start} – {end}",
    listSeparator: ", ",
  },
  /** How a day reads inside a sentence ("Arriving {day}", "Delivered {day} at {time}"). */
  day: {
    today: "today",
    tomorrow: "tomorrow",
    yesterday: "yesterday",
    weekday: "{weekday}",
    date: "{date}",
  },
  headline: {
    preparing: "Preparing to ship",
    preparingDetail: "The carrier has not scanned the parcel yet.",
    arrivingOn: "Arriving {day}",
    arrivingBetween: "Arriving {range}",
    arrivingAround: "Arriving around {day}",
    onItsWay: "On its way",
    late: "Running late",
    lateDetail: "The carrier expected to deliver it {day}.",
    deliveryBeingArranged: "The carrier is arranging delivery",
    outForDeliveryToday: "Out for delivery today",
    outForDelivery: "Out for delivery",
    readyForPickup: "Ready for pickup",
    readyForPickupAt: "Waiting for you at {place}",
    deliveredAt: "Delivered {day} at {time}",
    deliveredOn: "Delivered {day}",
    failedAttempt: "Delivery attempted",
    returning: "Returning to sender",
    returned: "Returned to sender",
    refused: "Delivery refused",
    customsHold: "Held at customs",
    delayed: "Delayed",
    damagedOrLost: "A problem with your parcel",
    unclaimed: "Not collected",
    cancelled: "Shipment cancelled",
    problem: "A problem with the delivery",
    expired: "No recent updates",
    expiredDetail: "The carrier has not updated this shipment for a while.",
  },
  /** Second line under a delivered or failed-delivery headline. */
  detail: {
    leftAtDoor: "Left at front door",
    signedFor: "Signed for",
    collectedByRecipient: "Collected",
    recipientNotHome: "Nobody was available to receive it",
    businessClosed: "The business was closed",
    addressIssue: "The carrier could not deliver to the address",
    damagedOrLost: "The carrier reported it damaged or lost",
  },
  /** What the customer should do. */
  action: {
    retryOrNotice: "The carrier will try again or leave a notice saying where to collect it.",
    arrangeRedelivery: "Contact the carrier to arrange redelivery.",
    importCharges: "The carrier may contact you about import charges.",
    noActionDelayed: "Nothing to do: the carrier will update the delivery date.",
    contactShop: "Contact the shop so they can help.",
    collectSoon: "Collect it soon, or it will be sent back to the shop.",
    collectWithId: "Bring an ID and your tracking number to collect it.",
    returningContactShop: "Contact the shop about a replacement or a refund.",
    checkCarrier: "Check the carrier's website for details or contact the shop.",
  },
  progress: {
    ordered: "Ordered",
    shipped: "Shipped",
    inTransit: "In transit",
    outForDelivery: "Out for delivery",
    readyForPickup: "Ready for pickup",
    delivered: "Delivered",
  },
  estimate: {
    predicted: "Estimated {date} (usually {range})",
    predictedDay: "Estimated {date}",
    basis: { one: "Based on {count} delivery from this shop", other: "Based on {count} deliveries from this shop" },
  },
  carrier: {
    unknown: "Carrier",
  },
} as const;
