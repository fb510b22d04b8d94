import type { CustomerEmailCatalogue } from "../catalogue";

export const fr: CustomerEmailCatalogue = {
  milestone: {
    shipped: {
      subject: "Votre commande {order_name} est en route",
      intro: "Bonne nouvelle : le transporteur a pris en charge votre colis, il est en route vers vous.",
    },
    out_for_delivery: {
      subject: "Votre commande {order_name} est en cours de livraison",
      intro: "Votre colis est en cours de livraison et devrait vous parvenir bientôt.",
    },
    delivered: {
      subject: "Votre commande {order_name} a été livrée",
      intro: "Votre colis a été livré. Nous espérons que votre commande vous plaira !",
    },
    failed_attempt: {
      subject: "Tentative de livraison de votre commande {order_name}",
      intro: "Le transporteur a essayé de livrer votre colis, sans succès.",
    },
    exception: {
      subject: "Un problème avec la livraison de votre commande {order_name}",
      intro: "Un incident concerne la livraison de votre colis. Voici ce que nous savons et ce qu'il faut faire.",
    },
    available_for_pickup: {
      subject: "Votre commande {order_name} est prête à être retirée",
      intro: "Votre colis vous attend dans un point de retrait.",
    },
    new_delivery_date: {
      subject: "Nouvelle date de livraison pour votre commande {order_name}",
      intro: "Le transporteur a modifié la date de livraison de votre colis.",
    },
  },
  greeting: "Bonjour {first_name},",
  greetingWithoutName: "Bonjour,",
  order: "Commande {order_name}",
  estimatedDelivery: "Livraison prévue",
  latestUpdate: "Dernière mise à jour",
  items: "Dans ce colis",
  quantity: "Qté {quantity}",
  carrier: "Transporteur",
  trackingNumber: "Numéro de suivi",
  trackButton: "Suivre mon colis",
  linkFallback: "Si le bouton ne fonctionne pas, ouvrez cette adresse :",
  footer: "Vous recevez cet e-mail parce que vous avez commandé chez {shop_name}.",
  unsubscribe: "Ne plus recevoir le suivi de cette commande",
  unsubscribePage: {
    title: "Suivi de livraison",
    question: "Ne plus recevoir les e-mails de suivi de la commande {order_name} ?",
    everyOrder: "Les arrêter aussi pour mes autres commandes dans cette boutique",
    confirm: "Arrêter les e-mails",
    done: "C'est fait : vous ne recevrez plus d'e-mails de suivi pour la commande {order_name}.",
    doneEveryOrder: "C'est fait : vous ne recevrez plus d'e-mails de suivi de cette boutique.",
    notFound: "Ce lien n'est plus valide.",
  },
};
