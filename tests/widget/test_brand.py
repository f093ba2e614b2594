"""`GET /brand` and `GET /widget/config`: the brand's public settings, found by the shop's
domain (`X-Popsell-Domain`) without a token."""

import httpx
import orjson
import pytest

from salon.brands import service
from salon.errors import Invalid
from tests.support import World

DOMAIN = "shop.example.com"
MISSING = {
    "message": "The X-Popsell-Domain field is required.",
    "errors": {"X-Popsell-Domain": ["The X-Popsell-Domain field is required."]},
}


async def _set(world: World, id_brand: int, **changes: str | int) -> None:
    async with world.database.transaction() as tx:
        await service.set_settings(tx, id_brand, dict(changes))


async def test_a_new_brand_answers_its_defaults(client: httpx.AsyncClient, world: World) -> None:
    id_brand = await world.brand("Maison", domain=DOMAIN)
    response = await client.get("/brand", headers={"X-Popsell-Domain": DOMAIN})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id_brand": id_brand,
        "label": "Maison",
        "default_language": "en_US",
        "url": None,
        "program_label": None,
        "front_office_domain": DOMAIN,
        "register_restriction": "MANUALLY",
        "product_price_display_limit": 0,
        "widget_wl_cta_chat_topic": None,
        "widget_community_default_sort_amb_by": 0,
        "brand_config": {},
        "available_content_language": [],
        "timezone": "UTC",
    }


async def test_the_brand_shows_what_was_set(client: httpx.AsyncClient, world: World) -> None:
    id_brand = await world.brand("Maison", domain=DOMAIN)
    other = await world.brand("Other", domain="other.example.com")
    await _set(
        world,
        id_brand,
        default_language="fr_FR",
        url="https://shop.example.com",
        program_label="Les ambassadeurs",
        register_restriction="AUTOMATICALLY",
        product_price_display_limit=50,
        widget_wl_cta_chat_topic=3,
        widget_community_default_sort_amb_by=2,
        brand_config='{"theme": {"color": "#123456"}}',
        available_content_language="fr_FR, en_US",
        timezone="Europe/Paris",
    )
    # The header is read as the domain is stored: trimmed, lower case.
    response = await client.get("/brand", headers={"X-Popsell-Domain": " Shop.Example.COM "})
    assert response.status_code == 200, response.text
    brand = response.json()
    assert brand["id_brand"] == id_brand
    assert brand["default_language"] == "fr_FR"
    assert brand["url"] == "https://shop.example.com"
    assert brand["program_label"] == "Les ambassadeurs"
    assert brand["register_restriction"] == "AUTOMATICALLY"
    assert brand["product_price_display_limit"] == 50
    assert brand["widget_wl_cta_chat_topic"] == 3
    assert brand["widget_community_default_sort_amb_by"] == 2
    assert brand["brand_config"] == {"theme": {"color": "#123456"}}
    assert brand["available_content_language"] == ["fr_FR", "en_US"]
    assert brand["timezone"] == "Europe/Paris"
    # The other brand is untouched.
    untouched = await client.get("/brand", headers={"X-Popsell-Domain": "other.example.com"})
    assert untouched.json()["id_brand"] == other
    assert untouched.json()["default_language"] == "en_US"


@pytest.mark.parametrize("path", ["/brand", "/widget/config"])
async def test_the_domain_is_required_and_must_be_known(
    client: httpx.AsyncClient, world: World, path: str
) -> None:
    await world.brand(domain=DOMAIN)
    missing = await client.get(path)
    assert missing.status_code == 422
    assert missing.json() == MISSING
    unknown = await client.get(path, headers={"X-Popsell-Domain": "nowhere.example.com"})
    assert unknown.status_code == 404
    assert unknown.json() == {"message": "Not found - The brand does not exist"}
    # A brand without a domain is found by none.
    await world.brand()
    empty = await client.get(path, headers={"X-Popsell-Domain": " "})
    assert empty.status_code == 404


@pytest.mark.parametrize(
    ("name", "value", "sentence"),
    [
        ("default_language", "French", "The default_language must be a locale such as fr_FR."),
        ("timezone", "Mars/Olympus", "Unknown time zone 'Mars/Olympus'."),
        ("brand_config", "[1, 2]", "The brand_config must be a JSON object."),
        ("brand_config", "{nope", "The brand_config must be valid JSON."),
        ("available_content_language", "fr_FR,French", "Give locales such as fr_FR,en_US."),
        ("product_price_display_limit", -1, "The product_price_display_limit must be at least 0."),
        ("widget_config", '{"im": {}}', "widget_config.im: Extra inputs are not permitted"),
    ],
)
async def test_bad_settings_are_refused_and_change_nothing(
    client: httpx.AsyncClient, world: World, name: str, value: str | int, sentence: str
) -> None:
    await world.brand(domain=DOMAIN)
    before = (await client.get("/brand", headers={"X-Popsell-Domain": DOMAIN})).json()
    id_brand = before["id_brand"]
    with pytest.raises(Invalid) as refused:
        await _set(world, id_brand, program_label="Changed", **{name: value})
    assert refused.value.errors == {name: [sentence]}
    after = (await client.get("/brand", headers={"X-Popsell-Domain": DOMAIN})).json()
    assert after == before


async def test_the_widget_config_defaults(client: httpx.AsyncClient, world: World) -> None:
    await world.brand(domain=DOMAIN)
    response = await client.get("/widget/config", headers={"X-Popsell-Domain": DOMAIN})
    assert response.status_code == 200, response.text
    config = response.json()
    assert config["global"]["defaultLanguage"] == "en_US"
    assert config["global"]["signInUrl"] is None
    assert config["community"] == {
        "defaultGeolocation": [],
        "locationType": None,
        "defaultSortBy": 0,
    }
    assert config["im"] == {"chattopic": None}
    assert set(config["picking"]) == {"name", "description", "image", "price", "sku"}
    assert config["picking"]["price"] == {"selector": "", "attribute": None}


async def test_the_widget_config_joins_stored_and_brand_settings(
    client: httpx.AsyncClient, world: World
) -> None:
    id_brand = await world.brand(domain=DOMAIN)
    stored = {
        "global": {"signInUrl": "https://shop.example.com/login", "sandboxUrl": None},
        "community": {"defaultGeolocation": [48.85, 2.35], "locationType": "city"},
        "picking": {"price": {"selector": ".price", "attribute": "data-amount"}},
    }
    await _set(
        world,
        id_brand,
        widget_config=orjson.dumps(stored).decode(),
        default_language="fr_FR",
        widget_wl_cta_chat_topic=7,
        widget_community_default_sort_amb_by=1,
    )
    config = (await client.get("/widget/config", headers={"X-Popsell-Domain": DOMAIN})).json()
    assert config["global"]["signInUrl"] == "https://shop.example.com/login"
    assert config["global"]["defaultLanguage"] == "fr_FR"
    assert config["community"] == {
        "defaultGeolocation": [48.85, 2.35],
        "locationType": "city",
        "defaultSortBy": 1,
    }
    assert config["im"] == {"chattopic": 7}
    assert config["picking"]["price"] == {"selector": ".price", "attribute": "data-amount"}
    assert config["picking"]["sku"] == {"selector": "", "attribute": None}
