"""Etiquetador morfológico de ejemplo para el español de México y de España.

Proyecto ficticio escrito para la demostración de AI Commons Registry.
"""

from __future__ import annotations

import re
import sys

LEXICO = {
    "a": "ADP",
    "al": "ADP",
    "de": "ADP",
    "del": "ADP",
    "en": "ADP",
    "con": "ADP",
    "cerca": "ADV",
    "por": "ADP",
    "para": "ADP",
    "sin": "ADP",
    "el": "DET",
    "la": "DET",
    "los": "DET",
    "las": "DET",
    "un": "DET",
    "una": "DET",
    "yo": "PRON",
    "tú": "PRON",
    "usted": "PRON",
    "ella": "PRON",
    "él": "PRON",
    "nosotros": "PRON",
    "ustedes": "PRON",
    "vosotros": "PRON",
    "y": "CCONJ",
    "o": "CCONJ",
    "pero": "CCONJ",
    "que": "SCONJ",
    "es": "VERB",
    "está": "VERB",
    "voy": "VERB",
    "vamos": "VERB",
    "hay": "VERB",
    "ahorita": "ADV",
    "aquí": "ADV",
    "allá": "ADV",
    "muy": "ADV",
    "no": "ADV",
    "chamba": "NOUN",
    "camión": "NOUN",
    "coche": "NOUN",
    "estación": "NOUN",
    "padrísimo": "ADJ",
    "chido": "ADJ",
    "vale": "INTJ",
    "órale": "INTJ",
}

SUFIJOS = [
    ("mente", "ADV"),
    ("ando", "VERB"),
    ("iendo", "VERB"),
    ("ado", "VERB"),
    ("ido", "VERB"),
    ("ar", "VERB"),
    ("er", "VERB"),
    ("ir", "VERB"),
    ("ción", "NOUN"),
    ("dad", "NOUN"),
    ("ismo", "NOUN"),
    ("oso", "ADJ"),
    ("osa", "ADJ"),
    ("ble", "ADJ"),
]

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def etiquetar_palabra(palabra: str, inicio_de_oracion: bool = False) -> str:
    """Devuelve la etiqueta universal de una sola palabra."""
    if not palabra[0].isalnum():
        return "PUNCT"
    if palabra.isdigit():
        return "NUM"
    minuscula = palabra.lower()
    if minuscula in LEXICO:
        return LEXICO[minuscula]
    if palabra[0].isupper() and not inicio_de_oracion:
        return "PROPN"
    for sufijo, etiqueta in SUFIJOS:
        if minuscula.endswith(sufijo) and len(minuscula) > len(sufijo) + 1:
            return etiqueta
    return "NOUN"


def etiquetar(texto: str) -> list[tuple[str, str]]:
    """Divide el texto en palabras y devuelve pares (palabra, etiqueta)."""
    resultado = []
    inicio = True
    for palabra in _TOKEN.findall(texto):
        resultado.append((palabra, etiquetar_palabra(palabra, inicio)))
        inicio = palabra in {".", "!", "?", "¡", "¿"}
    return resultado


if __name__ == "__main__":
    for linea in sys.stdin:
        for palabra, etiqueta in etiquetar(linea):
            print(f"{palabra:10} {etiqueta}")
