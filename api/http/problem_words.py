"""Problem details in the caller's language: the words of every status, of marshmallow's and
our schemas' field messages, and of every refusal a route can give. English is the source;
a message with no translation would stay in English (Content-Language then says so), but
tests/http/test_problem_language.py reads the code for every refusal and fails on one with
no Spanish here.

Messages are matched whole; those with a number, a name or a list in them by pattern.
Spanish is plain and speaks to the person as tú.
"""

import re
from http import HTTPStatus

from api.config import MAX_JSON_DEPTH
from api.lib.languages import FALLBACK

TITLES_ES = {
    400: "Solicitud incorrecta", 401: "Sin autorización", 403: "Prohibido",
    404: "No encontrado", 405: "Método no permitido", 409: "Conflicto",
    412: "Falló la condición previa", 413: "Contenido demasiado grande",
    415: "Tipo de contenido no admitido", 422: "Datos no válidos",
    428: "Se requiere una condición previa", 429: "Demasiadas solicitudes",
    500: "Error interno del servidor", 503: "Servicio no disponible",
}

# Whole messages, English → Spanish: the status details (api.http.errors.DETAILS), field
# messages, and frequent refusals.
MESSAGES_ES = {
    "The request could not be read. Check that the body is valid JSON, nested at most "
    f"{MAX_JSON_DEPTH} levels deep.":
        "No se pudo leer la solicitud. Revisa que el cuerpo sea JSON válido, con un "
        f"máximo de {MAX_JSON_DEPTH} niveles anidados.",
    "You need to sign in to do this.": "Tienes que iniciar sesión para hacer esto.",
    "Your account is not allowed to do this.": "Tu cuenta no puede hacer esto.",
    "Nothing was found at this address.": "No hay nada en esta dirección.",
    "This address does not support that method. See the Allow header.":
        "Esta dirección no admite ese método. Mira el encabezado Allow.",
    "This request conflicts with another one still in progress.":
        "Esta solicitud choca con otra que todavía está en curso.",
    "This item has changed since you loaded it. Load it again, then retry.":
        "Esto cambió desde que lo cargaste. Cárgalo de nuevo y vuelve a intentarlo.",
    "The request body is too large (the limit is 64 KiB).":
        "El cuerpo de la solicitud es demasiado grande (el límite es 64 KiB).",
    "Send the request body as JSON (Content-Type: application/json).":
        "Envía el cuerpo de la solicitud como JSON (Content-Type: application/json).",
    "Some input was not valid. See 'errors' for each field.":
        "Algunos datos no son válidos. Mira 'errors' para cada campo.",
    "This request must be conditional: send If-Match with the item's ETag.":
        "Esta solicitud debe ser condicional: envía If-Match con el ETag del elemento.",
    "Too many requests. Wait for the time in Retry-After, then try again.":
        "Demasiadas solicitudes. Espera el tiempo de Retry-After y vuelve a intentarlo.",
    "Something went wrong on our side. It has been logged; please try again later.":
        "Algo falló de nuestro lado. Quedó registrado; inténtalo más tarde.",
    "The service is not ready. Please try again shortly.":
        "El servicio no está listo. Inténtalo de nuevo en un momento.",
    "The service can't reach its database right now. Nothing was saved. Try again in a "
    "moment.":
        "El servicio no puede llegar a su base de datos ahora. No se guardó nada. "
        "Inténtalo de nuevo en un momento.",
    # marshmallow's own field messages
    "Missing data for required field.": "Falta este dato obligatorio.",
    "Field may not be null.": "Este campo no puede estar vacío (null).",
    "Invalid value.": "Valor no válido.",
    "Not a valid string.": "No es un texto válido.",
    "Not a valid utf-8 string.": "No es un texto UTF-8 válido.",
    "Not a valid integer.": "No es un número entero válido.",
    "Not a valid number.": "No es un número válido.",
    "Not a valid boolean.": "No es un valor verdadero o falso válido.",
    "Not a valid UUID.": "No es un UUID válido.",
    "Not a valid datetime.": "No es una fecha y hora válidas.",
    "Not a valid aware datetime.":
        "No es una fecha y hora válidas con zona horaria (por ejemplo, terminada en Z).",
    "Not a valid date.": "No es una fecha válida.",
    "Not a valid email address.": "No es un correo electrónico válido.",
    "Not a valid URL.": "No es una dirección web (URL) válida.",
    "Not a valid list.": "No es una lista válida.",
    "Not a valid mapping type.": "No es un objeto válido.",
    "Invalid type.": "Tipo no válido.",
    "Invalid input type.": "Tipo de datos no válido.",
    "Unknown field.": "Campo desconocido.",
    "String does not match expected pattern.": "El texto no tiene la forma esperada.",
    # our schemas' messages
    "Write at least one letter or number.": "Escribe al menos una letra o un número.",
    "Control characters (such as NUL) are not allowed.":
        "No se permiten caracteres de control (como NUL).",
    # refusals people meet most
    "Someone changed this since you loaded it. Load it again, then make your change.":
        "Alguien cambió esto desde que lo cargaste. Cárgalo de nuevo y haz tu cambio.",
    "Send If-Match with the ETag you last saw, so no edit is lost.":
        "Envía If-Match con el último ETag que viste, para que no se pierda ningún cambio.",
    "This time is in the future. Check the phone's clock.":
        "Esta hora está en el futuro. Revisa el reloj del teléfono.",
    "This time is before the goal was set.": "Esta hora es anterior a la creación de la meta.",
    # signing in, sessions and keys
    "Sign in to do this.": "Inicia sesión para hacer esto.",
    "Your session has ended or is not valid. Sign in again.":
        "Tu sesión terminó o no es válida. Vuelve a iniciar sesión.",
    "This app's sign-in request is not valid. Go back to the app and try again.":
        "La solicitud de inicio de sesión de esta aplicación no es válida. Vuelve a la "
        "aplicación e inténtalo de nuevo.",
    "This app was revoked; register a new one.":
        "Esta aplicación fue revocada; registra una nueva.",
    "No app is registered with this client_id, or its agency revoked it.":
        "No hay ninguna aplicación registrada con este client_id, o su agencia la revocó.",
    "Use an https address, http on 127.0.0.1 or localhost, or the app's own scheme "
    "(like org.example.app:/callback), with no #fragment.":
        "Usa una dirección https, http en 127.0.0.1 o localhost, o el esquema propio de la "
        "aplicación (como org.example.app:/callback), sin #fragmento.",
    "Name one or more scopes this server has, separated by spaces.":
        "Nombra uno o más permisos que tenga este servidor, separados por espacios.",
    "Missing 'code_challenge': PKCE (S256) is required.":
        "Falta 'code_challenge': PKCE (S256) es obligatorio.",
    "'code_challenge_method' must be S256.": "'code_challenge_method' debe ser S256.",
    "This app was not allowed to do this.":
        "Esta aplicación no tiene permiso para hacer esto.",
    "Send writes as JSON, or with an X-Requested-With header.":
        "Envía los cambios como JSON, o con un encabezado X-Requested-With.",
    "This API key is not valid or has been revoked. Send a live key in X-API-Key, or none to "
    "be served as an anonymous client.":
        "Esta clave de API no es válida o fue revocada. Envía una clave vigente en X-API-Key, "
        "o ninguna para que te atiendan como cliente anónimo.",
    "That sign-in did not work. Check the details and try again.":
        "No se pudo iniciar sesión. Revisa los datos y vuelve a intentarlo.",
    "Too many failed sign-ins. Wait, then try again.":
        "Demasiados intentos fallidos de iniciar sesión. Espera y vuelve a intentarlo.",
    "Too many tries from here. Wait, then try again.":
        "Demasiados intentos desde aquí. Espera y vuelve a intentarlo.",
    "Send either an email or a username.": "Envía un correo o un nombre de usuario, solo uno.",
    # accounts and passwords
    "An account with this email already exists.": "Ya existe una cuenta con este correo.",
    "This username is taken. Try another.": "Ese nombre de usuario ya está en uso. Prueba otro.",
    "This agency code is not valid or has expired.":
        "Este código de agencia no es válido o ya venció.",
    "You are already a member of another agency.": "Ya eres parte de otra agencia.",
    "This worker still has active or paused partnerships made under your agency. Hand them "
    "over or end them first.":
        "Este acompañante de pares todavía tiene acompañamientos activos o en pausa hechos "
        "con tu agencia. Pásalos a otra persona o termínalos primero.",
    "To set a new password, send your current one as well.":
        "Para poner una contraseña nueva, envía también la actual.",
    "This password is too common. Try a few words that mean something to you.":
        "Esta contraseña es demasiado común. Prueba con unas palabras que signifiquen algo "
        "para ti.",
    "Do not use your name, email or username in your password.":
        "No uses tu nombre, tu correo ni tu nombre de usuario en la contraseña.",
    # invites and partnerships
    "Only peers can accept an invite.":
        "Solo una persona acompañada puede aceptar una invitación.",
    "Needed to create your account.": "Hace falta para crear tu cuenta.",
    "You already have an account.": "Ya tienes una cuenta.",
    "This invite code is not valid, was used, or has expired.":
        "Este código de invitación no es válido, ya se usó o ya venció.",
    "You already have a partnership with this worker.":
        "Ya tienes un acompañamiento con este acompañante de pares.",
    "This partnership has ended. Its history is read-only.":
        "Este acompañamiento terminó. Su historia ya solo se puede leer.",
    # handovers: moving a partnership to another worker of the agency
    "Choose a worker of your agency.": "Elige a un acompañante de pares de tu agencia.",
    "Choose a different worker to hand over to.":
        "Elige a otro acompañante de pares para pasarle el acompañamiento.",
    "This worker has no active or paused partnerships to hand over.":
        "Esta persona no tiene acompañamientos activos ni en pausa para pasar.",
    "Choose partnerships of this worker, made under your agency, that are active or paused.":
        "Elige acompañamientos de esta persona, hechos en tu agencia, que estén activos o en "
        "pausa.",
    "A handover of this partnership is already waiting for an answer. Cancel it first to ask "
    "again.":
        "Ya hay un pedido de cambio de este acompañamiento esperando respuesta. Cancélalo "
        "antes de pedirlo otra vez.",
    "The new worker already has a partnership with this person.":
        "El nuevo acompañante de pares ya tiene un acompañamiento con esta persona.",
    "This request was already answered or cancelled.":
        "Este pedido ya tuvo respuesta o se canceló.",
    "The new worker has left the agency, so this request was cancelled.":
        "El nuevo acompañante de pares ya no está en la agencia, así que este pedido se canceló.",
    "This partnership has changed since the request was made, so the request was cancelled.":
        "Este acompañamiento cambió desde que se hizo el pedido, así que el pedido se canceló.",
    # goals, milestones, check-ins, celebrations
    "This goal has check-ins. Set its status to let_go instead, so the history you share "
    "stays.":
        "Esta meta tiene avances registrados. Mejor cambia su estado a let_go, así se queda "
        "la historia que comparten.",
    "A check-in with this id already exists.": "Ya existe un avance con este id.",
    "That milestone is not part of this goal.": "Ese paso no es parte de esta meta.",
    "Mark the milestone done first, then celebrate it.":
        "Primero marca el paso como hecho y luego celébralo.",
    "Celebrate a milestone that is done, or a goal once it is achieved.":
        "Celebra un paso que ya esté hecho, o una meta cuando ya esté lograda.",
    # surveys and self-checks
    "This survey is for the worker to answer.":
        "Esta encuesta la responde el acompañante de pares.",
    "This survey is for the peer to answer.": "Esta encuesta la responde la persona acompañada.",
    "Choose one of your partnerships.": "Elige uno de tus acompañamientos.",
    "Choose who sees this: now or aggregate_only.": "Elige quién ve esto: now o aggregate_only.",
    "A self-check is yours alone: it takes no partnership or share.":
        "Una autoevaluación es solo tuya: no lleva partnership_id ni share.",
    "The self-check has not been published yet.":
        "La autoevaluación todavía no está publicada.",
    "Must be a list of {item, value} answers.": "Debe ser una lista de respuestas {item, value}.",
    "Must be an object with 'item' and 'value'.": "Debe ser un objeto con 'item' y 'value'.",
    "Must be an item id (a string).": "Debe ser el id de una pregunta (un texto).",
    "Must be a whole number.": "Debe ser un número entero.",
    "Use a month (2026-11) or a quarter (2026-Q4).":
        "Usa un mes (2026-11) o un trimestre (2026-Q4).",
    # content
    "There are no tips yet.": "Todavía no hay consejos.",
    "This slug is already used; choose another.": "Este slug ya está en uso; elige otro.",
    # crisis lines
    "Give at least one way to reach them: a phone number, a number to text, or a url.":
        "Da al menos una forma de contactarlos: un número de teléfono, un número para "
        "mensajes de texto o una url.",
    f"When the default set is left out, add at least one resource in '{FALLBACK}': it is "
    "shown when a language has none of its own.":
        f"Si dejas fuera el conjunto predeterminado, agrega al menos un recurso en "
        f"'{FALLBACK}': es el que se muestra cuando un idioma no tiene los suyos.",
    "Write a phone number such as (202) 555-0143 or +44 20 7946 0958, or a short code of 3 "
    "to 6 digits such as 988.":
        "Escribe un número de teléfono como (202) 555-0143 o +44 20 7946 0958, o un código "
        "corto de 3 a 6 dígitos como 988.",
    "A web address has no spaces, backslashes or control characters.":
        "Una dirección web no lleva espacios, barras invertidas ni caracteres de control.",
    "This is not a web address we can read.": "No podemos leer esta dirección web.",
    "Use a full web address that starts with https:// (or http://).":
        "Usa una dirección web completa que empiece con https:// (o http://).",
    "A web address here may not hold a user name or password (no @ before the host).":
        "Aquí una dirección web no puede llevar usuario ni contraseña (nada de @ antes del "
        "dominio).",
    # idempotency keys
    "Use 1 to 255 visible characters, e.g. a UUID.":
        "Usa de 1 a 255 caracteres visibles, por ejemplo un UUID.",
    "This key was already used for a different request.":
        "Esta clave ya se usó para una solicitud distinta.",
    "A request with this Idempotency-Key is still being handled.":
        "Todavía se está atendiendo una solicitud con esta Idempotency-Key.",
    # reminders (push subscriptions)
    "This is not the address of a known push service.":
        "Esta no es la dirección de un servicio de notificaciones conocido.",
    "This browser is already taking reminders with other keys. Turn reminders off and on "
    "again.": "Este navegador ya recibe recordatorios con otras claves. Desactiva los "
    "recordatorios y vuelve a activarlos.",
    "Not base64url text.": "No es texto base64url.",
    "p256dh is not a P-256 public key.": "p256dh no es una clave pública P-256.",
    "auth must be 16 bytes.": "auth debe tener 16 bytes.",
    "Not a time zone name such as America/Chicago.":
        "No es el nombre de una zona horaria, como America/Chicago.",
    "Use a 24-hour time such as 21:30.": "Usa una hora de 24 horas, como 21:30.",
    # webhooks
    "Use an https:// address.": "Usa una dirección https://.",
    "The address may not hold a user name or password.":
        "La dirección no puede llevar usuario ni contraseña.",
    "This address points inside a private network. Use a public address.":
        "Esta dirección apunta a una red privada. Usa una dirección pública.",
    "This address's host could not be found.":
        "No se encontró el servidor de esta dirección.",
    "This is not a web address.": "Esto no es una dirección web.",
    "An endpoint of your agency (with no app) can receive content.published, "
    "partnership.created and partnership.ended only.":
        "Un destino de tu agencia (sin app) solo puede recibir content.published, "
        "partnership.created y partnership.ended.",
    "An app's endpoint can receive partnership.created, partnership.ended, "
    "goal.achieved and checkin.overdue only.":
        "El destino de una app solo puede recibir partnership.created, partnership.ended, "
        "goal.achieved y checkin.overdue.",
    "Your agency has no app with this id.": "Tu agencia no tiene ninguna app con este id.",
    # FHIR's search parameters (api.web.fhir)
    "questionnaire must be a Questionnaire id or its canonical URL (with |version if you "
    "like).":
        "questionnaire debe ser el id de un Questionnaire o su URL canónica (con |versión "
        "si quieres).",
    # the service
    "The service can't save anything right now. Try again in a moment.":
        "El servicio no puede guardar nada ahora. Inténtalo de nuevo en un momento.",
}

# Messages with a number or a list in them: (pattern, Spanish template).
PATTERNS_ES = [
    (re.compile(r"Shorter than minimum length (\d+)\."), "Debe tener al menos {0} caracteres."),
    (re.compile(r"Longer than maximum length (\d+)\."), "Debe tener como máximo {0} caracteres."),
    (re.compile(r"Length must be between (\d+) and (\d+)\."),
     "Debe tener entre {0} y {1} caracteres."),
    (re.compile(r"Length must be (\d+)\."), "Debe tener exactamente {0} caracteres."),
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."),
     "Debe estar entre {0} y {1}."),
    (re.compile(r"Must be greater than or equal to (\S+)\."), "Debe ser {0} o más."),
    (re.compile(r"Must be less than or equal to (\S+)\."), "Debe ser {0} o menos."),
    (re.compile(r"Must be one of: (.+)\."), "Debe ser uno de estos: {0}."),
    (re.compile(r"At most (\d+) devices can take reminders\. Remove one you no longer use "
                r"first\."),
     "Solo {0} dispositivos pueden recibir recordatorios. Quita primero uno que ya no uses."),
    (re.compile(r"Check-ins older than (\d+) days cannot be added\."),
     "No se pueden agregar avances de hace más de {0} días."),
    (re.compile(r"Must be between (\S+) and (\S+)\."), "Debe estar entre {0} y {1}."),
    (re.compile(r"Use at least (\d+) characters\. A few words together work well\."),
     "Usa al menos {0} caracteres. Unas cuantas palabras juntas funcionan bien."),
    (re.compile(r"Use at most (\d+) characters\."), "Usa como máximo {0} caracteres."),
    (re.compile(r"Keep to at most (\d+) resources\."), "Pon como máximo {0} recursos."),
    (re.compile(r"No tip is called '(.*)'\."), "No hay ningún consejo llamado '{0}'."),
    (re.compile(r"No FAQ is called '(.*)'\."),
     "No hay ninguna pregunta frecuente llamada '{0}'."),
    (re.compile(r"No topic is called '(.*)'\."), "No hay ningún tema llamado '{0}'."),
    (re.compile(r"No survey is called '(.*)' in version (\d+)\."),
     "No hay ninguna encuesta llamada '{0}' en la versión {1}."),
    (re.compile(r"No survey is called '(.*)'\."), "No hay ninguna encuesta llamada '{0}'."),
    (re.compile(r"No agency has the id (\S+)\."), "Ninguna agencia tiene el id {0}."),
    (re.compile(r"Your agency has no tip called '(.*)'\."),
     "Tu agencia no tiene ningún consejo llamado '{0}'."),
    (re.compile(r"Your agency has no FAQ called '(.*)'\."),
     "Tu agencia no tiene ninguna pregunta frecuente llamada '{0}'."),
    (re.compile(r"Your agency has no topic called '(.*)'\."),
     "Tu agencia no tiene ningún tema llamado '{0}'."),
    (re.compile(r"Not a core tip or one of your own: (.+)\."),
     "No es un consejo de Rapport ni uno de tu agencia: {0}."),
    (re.compile(r"This period has not ended yet\. Its figures can be seen from (\S+)\."),
     "Este periodo todavía no termina. Sus cifras se pueden ver desde el {0}."),
    (re.compile(r"Your agency was made on (\S+): this period ended before that\."),
     "Tu agencia se creó el {0}: este periodo terminó antes."),
    (re.compile(r"'(.*)' is not an item of (\S+) version (\d+)\."),
     "'{0}' no es una pregunta de {1}, versión {2}."),
    (re.compile(r"'(.*)' is answered more than once\."), "'{0}' tiene más de una respuesta."),
    (re.compile(r"'(.*)' has no \"did not come up\" answer: choose from (\S+) to (\S+)\."),
     "'{0}' no tiene la respuesta \"No se dio\": elige de {1} a {2}."),
    (re.compile(r"Every item needs one answer; missing: (.+)\."),
     "Cada pregunta necesita una respuesta; faltan: {0}."),
    # FHIR (api.web.fhir): resource type names and parameters stay as FHIR spells them.
    (re.compile(r"No (\S+) is called '(.*)'\."), "Ningún {0} se llama '{1}'."),
    (re.compile(r"lang must be one of: (.+)\."), "lang debe ser uno de: {0}."),
    (re.compile(r"(\S+) must be a whole number from 1 to (\d+)\."),
     "{0} debe ser un número entero del 1 al {1}."),
    (re.compile(r"lifecycle-status must be one or more of: (.+)\."),
     "lifecycle-status debe ser uno o más de: {0}."),
]


def title(status: int, language: str) -> tuple[str, str]:
    """The status's name in `language`, and the language it is in."""
    if language == "es" and status in TITLES_ES:
        return TITLES_ES[status], "es"
    return HTTPStatus(status).phrase, "en"


def message(text: str, language: str) -> tuple[str, str]:
    """`text` in `language` when there are words for it, else as it is (English)."""
    if language != "es":
        return text, "en"
    if text in MESSAGES_ES:
        return MESSAGES_ES[text], "es"
    for pattern, template in PATTERNS_ES:
        if found := pattern.fullmatch(text):
            return template.format(*found.groups()), "es"
    return text, "en"
