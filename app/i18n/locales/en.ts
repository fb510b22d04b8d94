/** English, the reference catalogue: every other locale has exactly these keys. */
export const en = {
  common: {
    appName: "Tracklight",
    save: "Save",
    cancel: "Cancel",
    retry: "Try again",
    shipments: { one: "{count} shipment", other: "{count} shipments" },
  },
  status: {
    pending: "Pending",
    notfound: "Not found",
    inforeceived: "Info received",
    transit: "In transit",
    pickup: "Out for delivery / ready for pickup",
    undelivered: "Failed attempt",
    delivered: "Delivered",
    exception: "Exception",
    expired: "Expired",
  },
  providerProblems: {
    auth_failed: "Your tracking provider refused the API key. Paste a valid key in Settings; tracking resumes by itself.",
    quota_exhausted: "Your tracking provider account has no quota left. Top it up with the provider; tracking resumes when you save Settings again.",
    rate_limited: "Your tracking provider asked us to slow down. Tracklight waits and continues on its own; nothing is lost.",
  },
} as const;
