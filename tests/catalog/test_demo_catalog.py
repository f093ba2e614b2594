"""The demo brand has a brand tag of its two ambassadors and a chat topic, once however many
times `salon demo` runs."""

import httpx
from fastapi import FastAPI

from salon.provisioning.demo import load_demo


async def test_the_demo_has_one_tag_and_one_topic(app: FastAPI, client: httpx.AsyncClient) -> None:
    for _ in range(2):
        async with app.state.database.transaction() as tx:
            demo = await load_demo(tx)
    headers = {"Authorization": f"Bearer {demo['ambassadors'][3]['token']}"}
    tags = (await client.get("/manager/brand-tags", headers=headers)).json()
    assert tags["total"] == 1
    (tag,) = tags["data"]
    assert tag["name"] == "Experts"
    assert [n["lang"] for n in tag["names"]] == ["en_GB", "fr_FR"]
    ada, bruno = (person["id_ambassador"] for person in demo["ambassadors"][1:3])
    assert [m["id_ambassador"] for m in tag["members"]] == [ada, bruno]
    topics = (await client.get("/manager/chat-topics", headers=headers)).json()
    assert topics["total"] == 1
    assert topics["data"][0]["contents"][1] | {"id_i18n_content": 0} == {
        "id_i18n_content": 0,
        "lang": "fr_FR",
        "content": "Conseil produit",
    }
