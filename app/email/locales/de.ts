import type { CustomerEmailCatalogue } from "../catalogue";

export const de: CustomerEmailCatalogue = {
  milestone: {
    shipped: {
      subject: "Ihre Bestellung {order_name} ist unterwegs",
      intro: "Gute Nachricht: Der Paketdienst hat Ihr Paket übernommen, es ist auf dem Weg zu Ihnen.",
    },
    out_for_delivery: {
      subject: "Ihre Bestellung {order_name} wird heute zugestellt",
      intro: "Ihr Paket ist in der Zustellung und sollte Sie bald erreichen.",
    },
    delivered: {
      subject: "Ihre Bestellung {order_name} wurde zugestellt",
      intro: "Ihr Paket wurde zugestellt. Viel Freude mit Ihrer Bestellung!",
    },
    failed_attempt: {
      subject: "Zustellversuch für Ihre Bestellung {order_name}",
      intro: "Der Paketdienst hat versucht, Ihr Paket zuzustellen, leider ohne Erfolg.",
    },
    exception: {
      subject: "Ein Problem bei der Zustellung Ihrer Bestellung {order_name}",
      intro: "Bei der Zustellung Ihres Pakets ist etwas passiert. Hier steht, was wir wissen und was zu tun ist.",
    },
    available_for_pickup: {
      subject: "Ihre Bestellung {order_name} liegt zur Abholung bereit",
      intro: "Ihr Paket wartet an einer Abholstelle auf Sie.",
    },
    new_delivery_date: {
      subject: "Neuer Liefertermin für Ihre Bestellung {order_name}",
      intro: "Der Paketdienst hat den Liefertermin Ihres Pakets geändert.",
    },
  },
  greeting: "Hallo {first_name},",
  greetingWithoutName: "Guten Tag,",
  order: "Bestellung {order_name}",
  estimatedDelivery: "Voraussichtliche Zustellung",
  latestUpdate: "Letzte Meldung",
  items: "In dieser Sendung",
  quantity: "Menge {quantity}",
  carrier: "Paketdienst",
  trackingNumber: "Sendungsnummer",
  trackButton: "Sendung verfolgen",
  linkFallback: "Falls die Schaltfläche nicht funktioniert, öffnen Sie diese Adresse:",
  footer: "Sie erhalten diese E-Mail, weil Sie bei {shop_name} bestellt haben.",
  unsubscribe: "Keine Versandmeldungen mehr für diese Bestellung",
  unsubscribePage: {
    title: "Versandmeldungen",
    question: "Keine Versandmeldungen mehr für Bestellung {order_name} erhalten?",
    everyOrder: "Auch für meine anderen Bestellungen in diesem Shop abbestellen",
    confirm: "Abbestellen",
    done: "Erledigt: Sie erhalten keine Versandmeldungen mehr für Bestellung {order_name}.",
    doneEveryOrder: "Erledigt: Sie erhalten keine Versandmeldungen mehr von diesem Shop.",
    notFound: "Dieser Link ist nicht mehr gültig.",
  },
};
