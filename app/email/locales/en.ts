/**
 * English, the reference catalogue of customer e-mails. Merchants may replace a milestone's
 * subject and intro in settings; these are the defaults. Placeholders: {first_name},
 * {order_name}, {shop_name}, {tracking_number}.
 */
export const en = {
  milestone: {
    shipped: {
      subject: "Your order {order_name} is on its way",
      intro: "Good news: the carrier has your parcel and it is on its way to you.",
    },
    out_for_delivery: {
      subject: "Your order {order_name} is out for delivery",
      intro: "Your parcel is out for delivery and should reach you soon.",
    },
    delivered: {
      subject: "Your order {order_name} has been delivered",
      intro: "Your parcel has been delivered. We hope you enjoy your order!",
    },
    failed_attempt: {
      subject: "Delivery attempted for your order {order_name}",
      intro: "The carrier tried to deliver your parcel but could not.",
    },
    exception: {
      subject: "A problem with the delivery of your order {order_name}",
      intro: "Something has come up with the delivery of your parcel. Here is what we know and what to do.",
    },
    available_for_pickup: {
      subject: "Your order {order_name} is ready for pickup",
      intro: "Your parcel is waiting for you at a pickup point.",
    },
    new_delivery_date: {
      subject: "New delivery date for your order {order_name}",
      intro: "The carrier has changed the delivery date of your parcel.",
    },
  },
  greeting: "Hi {first_name},",
  greetingWithoutName: "Hello,",
  order: "Order {order_name}",
  estimatedDelivery: "Estimated delivery",
  latestUpdate: "Latest update",
  items: "In this shipment",
  quantity: "Qty {quantity}",
  carrier: "Carrier",
  trackingNumber: "Tracking number",
  trackButton: "Track your parcel",
  linkFallback: "If the button does not work, open this address:",
  footer: "You are receiving this e-mail because you ordered from {shop_name}.",
  unsubscribe: "Stop shipping updates for this order",
  unsubscribePage: {
    title: "Shipping updates",
    question: "Stop shipping update e-mails for order {order_name}?",
    everyOrder: "Also stop them for my other orders from this shop",
    confirm: "Stop e-mails",
    done: "Done: you will not get more shipping update e-mails for order {order_name}.",
    doneEveryOrder: "Done: you will not get more shipping update e-mails from this shop.",
    notFound: "This link is not valid any more.",
  },
} as const;
