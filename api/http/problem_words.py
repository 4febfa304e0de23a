"""Problem details in the caller's language: the words of every status, of marshmallow's and
our schemas' field messages, and of the refusals people meet most. English is the source;
a message with no translation yet stays in English, and Content-Language then says so.

Messages are matched whole; those with a number or a list in them by pattern.
"""

import re
from http import HTTPStatus

from api.config import MAX_JSON_DEPTH

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
    (re.compile(r"Check-ins older than (\d+) days cannot be added\."),
     "No se pueden agregar avances de hace más de {0} días."),
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
