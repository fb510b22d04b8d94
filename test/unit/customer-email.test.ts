import { describe, expect, it } from "vitest";
import { catalogueProblems, type MessageTree } from "~/i18n/catalogue";
import { CUSTOMER_EMAIL_LOCALES, CUSTOMER_EMAIL_REFERENCE } from "~/email/catalogue";
import { buttonTextColor, fillPlaceholders, renderCustomerEmail, SAMPLE_EMAIL_INPUT, type CustomerEmailInput } from "~/email/customer-email";
import { MILESTONES } from "~/domain/notification-milestones";
import { renderUnsubscribePage } from "~/email/unsubscribe-page";
import { trackingPageUrl } from "~/services/tracking-links.server";
import { emailAddressHash, unsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from "~/services/unsubscribe-links.server";

function input(overrides: Partial<CustomerEmailInput> = {}): CustomerEmailInput {
  return { ...SAMPLE_EMAIL_INPUT, ...overrides };
}

describe("customer e-mail catalogue", () => {
  it.each(Object.keys(CUSTOMER_EMAIL_LOCALES))("%s has exactly English's keys and placeholders", (locale) => {
    expect(catalogueProblems(CUSTOMER_EMAIL_REFERENCE as unknown as MessageTree, CUSTOMER_EMAIL_LOCALES[locale as "en"] as unknown as MessageTree)).toEqual([]);
  });

  it("has a subject and an intro for every milestone", () => {
    expect(Object.keys(CUSTOMER_EMAIL_REFERENCE.milestone).sort()).toEqual([...MILESTONES].sort());
  });
});

describe("renderCustomerEmail", () => {
  it("renders the sample: subject, greeting, headline from the tracking page, estimate, latest event, items, button", () => {
    const email = renderCustomerEmail(SAMPLE_EMAIL_INPUT);
    expect(email.locale).toBe("en");
    expect(email.subject).toBe("Your order #1001 is out for delivery");
    expect(email.text).toContain("Hi Ada,");
    expect(email.text).toContain("OUT FOR DELIVERY TODAY");
    expect(email.text).toContain("Latest update: Out for delivery – London");
    expect(email.text).toContain("- Linen shirt – M / Sand (Qty 1)");
    expect(email.text).toContain("Track your parcel: https://sample-shop.myshopify.com/apps/track?token=sample");
    expect(email.html).toContain('<html lang="en"');
    expect(email.html).toContain('href="https://sample-shop.myshopify.com/apps/track?token=sample"');
    expect(email.html).toContain("Wool socks");
    expect(email.html).toContain("Out for delivery today");
    // Table layout with inline styles only: no <style> block, no external stylesheet, no script.
    expect(email.html).toMatch(/<table role="presentation"/);
    expect(email.html).not.toMatch(/<style|<link|<script/i);
  });

  it("writes in the customer's language from the order's locale, English otherwise", () => {
    expect(renderCustomerEmail(input({ orderLocale: "fr-CA" })).subject).toBe("Votre commande #1001 est en cours de livraison");
    expect(renderCustomerEmail(input({ orderLocale: "de" })).text).toContain("Hallo Ada,");
    const spanish = renderCustomerEmail(input({ orderLocale: "es-MX", milestone: "delivered" }));
    expect(spanish.subject).toBe("Tu pedido #1001 ha sido entregado");
    expect(spanish.html).toContain('<html lang="es"');
    expect(renderCustomerEmail(input({ orderLocale: "ja-JP" })).locale).toBe("en");
    expect(renderCustomerEmail(input({ orderLocale: null })).locale).toBe("en");
  });

  it("uses the merchant's subject and intro with placeholders, and greets without a name when there is none", () => {
    const email = renderCustomerEmail(
      input({ customerFirstName: null, texts: { subject: "{first_name}, {order_name} from {shop_name} ({tracking_number}) {unknown}", intro: "Hang tight!" } }),
    );
    expect(email.subject).toBe("#1001 from Sample Shop (1Z999AA10123456784) {unknown}");
    expect(email.text).toContain("Hello,");
    expect(email.text).toContain("Hang tight!");
  });

  it("escapes everything from carriers, merchants and customers, and refuses unsafe URLs", () => {
    const hostile = "<script>alert(1)</script>\"'&";
    const email = renderCustomerEmail(
      input({
        customerFirstName: hostile,
        orderName: hostile,
        texts: { subject: "Order {order_name}\r\nBcc: victim@example.com", intro: hostile },
        branding: { shopName: hostile, logoUrl: "javascript:alert(1)", accentColor: "red;background:url(x)", timeZone: "UTC" },
        trackingUrl: "javascript:alert(1)",
        shipment: {
          ...SAMPLE_EMAIL_INPUT.shipment,
          events: [{ ...SAMPLE_EMAIL_INPUT.shipment.events[2]!, description: hostile, city: hostile }],
          items: [{ title: hostile, variantTitle: null, quantity: 1, imageUrl: null }],
        },
      }),
    );
    expect(email.html).not.toContain("<script>");
    expect(email.html).not.toContain("javascript:");
    expect(email.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;");
    expect(email.html).toContain("#1f5fa6");
    expect(email.html).not.toContain("url(x)");
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it("shows the logo only over https and picks readable button text for the accent colour", () => {
    const withLogo = renderCustomerEmail(input({ branding: { ...SAMPLE_EMAIL_INPUT.branding, logoUrl: "https://cdn.example.com/logo.png", accentColor: "#FFD400" } }));
    expect(withLogo.html).toContain('src="https://cdn.example.com/logo.png"');
    expect(withLogo.html).toContain("color:#111111");
    const httpLogo = renderCustomerEmail(input({ branding: { ...SAMPLE_EMAIL_INPUT.branding, logoUrl: "http://cdn.example.com/logo.png" } }));
    expect(httpLogo.html).not.toContain("cdn.example.com");
    expect(buttonTextColor("#000")).toBe("#ffffff");
    expect(buttonTextColor("#ffffff")).toBe("#111111");
  });

  it("links the unsubscribe page in both parts when there is one", () => {
    const email = renderCustomerEmail(input({ unsubscribeUrl: "https://app.example.com/email/unsubscribe/abc" }));
    expect(email.html).toContain('href="https://app.example.com/email/unsubscribe/abc"');
    expect(email.text).toContain("Stop shipping updates for this order: https://app.example.com/email/unsubscribe/abc");
    expect(renderCustomerEmail(SAMPLE_EMAIL_INPUT).text).not.toContain("unsubscribe");
  });

  it("fills only known placeholders and tidies the gap an empty one leaves", () => {
    const params = { first_name: "", order_name: "#7", shop_name: "Shop", tracking_number: "X1" };
    expect(fillPlaceholders("Hi {first_name}, order {order_name} {other}!", params)).toBe("Hi, order #7 {other}!");
  });
});

describe("unsubscribe links", () => {
  const secret = "unit-secret";
  const shop = "shop-a.myshopify.com";

  it("name one order and the address's hash, for one shop only, and carry no address", () => {
    const token = unsubscribeToken(secret, shop, "order_123", "Ada@Example.com");
    expect(token).not.toMatch(/ada|example/i);
    expect(verifyUnsubscribeToken(secret, shop, token)).toEqual({ orderId: "order_123", addressHash: emailAddressHash("ada@example.com") });
    expect(verifyUnsubscribeToken(secret, "shop-b.myshopify.com", token)).toBeNull();
    expect(verifyUnsubscribeToken("other-secret", shop, token)).toBeNull();
  });

  it("refuse any change to the order, the address hash or the signature, and anything not ours", () => {
    const token = unsubscribeToken(secret, shop, "order_123", "ada@example.com");
    const [version, order, hash, mac] = token.split(".");
    const otherOrder = Buffer.from("order_124").toString("base64url");
    const otherHash = Buffer.from(emailAddressHash("eve@example.com"), "hex").toString("base64url");
    for (const forged of [
      [version, otherOrder, hash, mac].join("."),
      [version, order, otherHash, mac].join("."),
      [version, order, hash, `${mac!.slice(0, -2)}AA`].join("."),
      ["t1", order, hash, mac].join("."),
      `${token}.extra`,
      "",
      "x".repeat(500),
    ]) {
      expect(verifyUnsubscribeToken(secret, shop, forged)).toBeNull();
    }
  });

  it("cannot stand in for a tracking link (each has its own key)", () => {
    const tracking = new URL(trackingPageUrl(secret, shop, "order_123")).searchParams.get("token")!;
    expect(verifyUnsubscribeToken(secret, shop, tracking)).toBeNull();
  });

  it("point at the app's unsubscribe page", () => {
    expect(unsubscribeUrl("https://app.example.com", secret, shop, "order_123", "a@b.example")).toMatch(/^https:\/\/app\.example\.com\/email\/unsubscribe\/u1\.[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});

describe("unsubscribe page", () => {
  it("asks with a form (nothing happens on opening it), in the order's language, escaping the order name", () => {
    const html = renderUnsubscribePage({ kind: "confirm", orderName: "<b>#1001</b>", formAction: "/email/unsubscribe/abc" }, "de-AT");
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('<form method="post" action="/email/unsubscribe/abc">');
    expect(html).toContain('name="everyOrder"');
    expect(html).toContain("&lt;b&gt;#1001&lt;/b&gt;");
    expect(html).not.toMatch(/<script/i);
  });

  it("confirms for the order or for every order, and says when a link is not valid", () => {
    expect(renderUnsubscribePage({ kind: "done", orderName: "#7", everyOrder: false }, "en")).toContain("for order #7");
    expect(renderUnsubscribePage({ kind: "done", orderName: "#7", everyOrder: true }, "fr")).toContain("de cette boutique");
    expect(renderUnsubscribePage({ kind: "not_found" }, null)).toContain("This link is not valid any more.");
  });
});
