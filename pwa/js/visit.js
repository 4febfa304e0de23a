// What the link that opened the app named. An agency's embed or feed links to its tips with
// ?lang= and ?agency=: the language it was showing, and the agency whose own tips are found
// only with it. The app keeps both for the rest of the visit (this tab): the agency's tips
// stay in the lists, and the app speaks that language unless the person chose one in Settings.
const KEYS = { lang: "rapport.visit.lang", agency: "rapport.visit.agency" };
const FORMS = { lang: /^[a-z]{2}$/, agency: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i };

export function remember(query) {
  for (const [name, key] of Object.entries(KEYS)) {
    const value = query.get(name);
    try {
      if (value && FORMS[name].test(value)) sessionStorage.setItem(key, value.toLowerCase());
    } catch { /* storage refused (private mode): the link still works for its own view */ }
  }
}

export function visit(name) {
  try { return sessionStorage.getItem(KEYS[name]); } catch { return null; }
}

// An app's sign-in request (the consent screen's address) waiting while the person signs in
// or joins: wherever they sign in, they come back to it (settings.js, invites.js).
const AUTHORIZE = "rapport.visit.authorize";

export function keepAuthorization(hash) {
  try { sessionStorage.setItem(AUTHORIZE, hash); } catch { /* storage refused: the hash still holds it */ }
}

export function takeAuthorization() {
  try {
    const hash = sessionStorage.getItem(AUTHORIZE);
    sessionStorage.removeItem(AUTHORIZE);
    return hash?.startsWith("#/authorize?") ? hash : null;
  } catch { return null; }
}
