// Talking to the API: JSON in and out, the chosen language on every request, and errors
// that say whether the network or the server refused.
import { language } from "./i18n.js";

// The server answered with an error (RFC 9457 problem in `problem`).
export class ApiError extends Error {
  constructor(status, problem, headers) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = headers?.get("Retry-After");
  }
}

// The request never reached the server: offline, or the network dropped it.
export class Offline extends Error {}

let sessionEnded = () => {};
// Called when a signed-in request comes back 401: the session ended on the server.
export function onSessionEnded(handler) { sessionEnded = handler; }

export function apiUrl(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  return url;
}

// Any API call. Writes carry X-Requested-With: with the SameSite=Strict session cookie,
// the server takes that as proof the write came from this app.
export async function request(method, path, { params, body, headers = {}, cache } = {}) {
  const init = { method, credentials: "same-origin", headers: {
    Accept: "application/json", "Accept-Language": language(), ...headers } };
  if (cache) init.cache = cache;
  if (method !== "GET") init.headers["X-Requested-With"] = "rapport";
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(apiUrl(path, params), init);
  } catch {
    throw new Offline(path);
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && !path.endsWith("/auth/token")) sessionEnded();
    throw new ApiError(response.status, data, response.headers);
  }
  return { data, etag: response.headers.get("ETag"), headers: response.headers };
}

// Public content: the language goes in the URL, so the phone keeps each language apart.
// `fresh`: ask the server, not the phone's copy (the service worker keeps that copy up to date
// and still answers with it when there is no network).
export async function getJSON(path, params = {}, { fresh = false } = {}) {
  return (await request("GET", path, { params: { lang: language(), ...params },
                                       cache: fresh ? "no-cache" : undefined })).data;
}
