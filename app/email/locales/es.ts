import type { CustomerEmailCatalogue } from "../catalogue";

export const es: CustomerEmailCatalogue = {
  milestone: {
    shipped: {
      subject: "Tu pedido {order_name} está en camino",
      intro: "Buenas noticias: el transportista ya tiene tu paquete y está en camino.",
    },
    out_for_delivery: {
      subject: "Tu pedido {order_name} está en reparto",
      intro: "Tu paquete está en reparto y debería llegarte pronto.",
    },
    delivered: {
      subject: "Tu pedido {order_name} ha sido entregado",
      intro: "Tu paquete ha sido entregado. ¡Esperamos que disfrutes de tu pedido!",
    },
    failed_attempt: {
      subject: "Intento de entrega de tu pedido {order_name}",
      intro: "El transportista intentó entregar tu paquete, pero no pudo.",
    },
    exception: {
      subject: "Un problema con la entrega de tu pedido {order_name}",
      intro: "Ha surgido un problema con la entrega de tu paquete. Esto es lo que sabemos y lo que puedes hacer.",
    },
    available_for_pickup: {
      subject: "Tu pedido {order_name} está listo para recoger",
      intro: "Tu paquete te espera en un punto de recogida.",
    },
    new_delivery_date: {
      subject: "Nueva fecha de entrega de tu pedido {order_name}",
      intro: "El transportista ha cambiado la fecha de entrega de tu paquete.",
    },
  },
  greeting: "Hola, {first_name}:",
  greetingWithoutName: "Hola:",
  order: "Pedido {order_name}",
  estimatedDelivery: "Entrega estimada",
  latestUpdate: "Última actualización",
  items: "En este envío",
  quantity: "Cant. {quantity}",
  carrier: "Transportista",
  trackingNumber: "Número de seguimiento",
  trackButton: "Seguir mi paquete",
  linkFallback: "Si el botón no funciona, abre esta dirección:",
  footer: "Recibes este correo porque hiciste un pedido en {shop_name}.",
  unsubscribe: "Dejar de recibir avisos de envío de este pedido",
  unsubscribePage: {
    title: "Avisos de envío",
    question: "¿Dejar de recibir avisos de envío del pedido {order_name}?",
    everyOrder: "Dejar de recibirlos también para mis otros pedidos en esta tienda",
    confirm: "Dejar de recibir",
    done: "Listo: no recibirás más avisos de envío del pedido {order_name}.",
    doneEveryOrder: "Listo: no recibirás más avisos de envío de esta tienda.",
    notFound: "Este enlace ya no es válido.",
  },
};
