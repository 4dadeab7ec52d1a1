"""The service manifest: what the reconciliation service offers and where."""

from __future__ import annotations

from vic_semantic.namespaces import VIC
from vic_semantic.reconcile.extend import LIMIT_SETTING
from vic_semantic.reconcile.ids import IDENTIFIER_SPACE, SCHEMA_SPACE, schema_id
from vic_semantic.reconcile.preview import HEIGHT, WIDTH
from vic_semantic.reconcile.types import type_name
from vic_semantic.search import SearchIndex

# Types offered before the user picks one: products (all, dairy, meat), members, documents.
DEFAULT_TYPES = (
    VIC.FoodProduct,
    VIC.DairyProduct,
    VIC.MeatProduct,
    VIC.ClusterMember,
    VIC.NormativeDocument,
)

_NAMES = {
    "ru": "vic-semantic: ВИК «Гомель–Москва» (продукция, участники, стандарты, коды)",
    "en": "vic-semantic: Gomel–Moscow cluster (products, members, standards, codes)",
}
_LIMIT_LABELS = {
    "ru": ("Не более значений", "0 — все значения свойства."),
    "en": ("Maximum values", "0 returns every value of the property."),
}


def manifest(service_url: str, index: SearchIndex, lang: str) -> dict[str, object]:
    """Return the manifest of the service at ``service_url`` (…/reconcile), names in ``lang``."""
    limit_label, limit_help = _LIMIT_LABELS.get(lang, _LIMIT_LABELS["ru"])
    return {
        "versions": ["0.2"],
        "name": _NAMES.get(lang, _NAMES["ru"]),
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "view": {"url": IDENTIFIER_SPACE + "{{id}}"},
        "preview": {"url": service_url + "/preview?id={{id}}", "width": WIDTH, "height": HEIGHT},
        "defaultTypes": [
            {"id": schema_id(str(t)), "name": type_name(index, str(t), lang)} for t in DEFAULT_TYPES
        ],
        "suggest": {
            "entity": {"service_url": service_url, "service_path": "/suggest/entity"},
            "type": {"service_url": service_url, "service_path": "/suggest/type"},
            "property": {"service_url": service_url, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": service_url, "service_path": "/extend/propose"},
            "property_settings": [
                {
                    "type": "number",
                    "name": LIMIT_SETTING,
                    "label": limit_label,
                    "help_text": limit_help,
                    "default": 0,
                }
            ],
        },
    }
