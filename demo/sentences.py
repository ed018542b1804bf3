"""What the demo speakers say: eight short sentences in each demo language."""

from __future__ import annotations

# language code → (espeak-ng voice, sentences)
SENTENCES: dict[str, tuple[str, list[str]]] = {
    "en": (
        "en-us",
        [
            "The birch canoe slid on the smooth planks.",
            "Glue the sheet to the dark blue background.",
            "It is easy to tell the depth of a well.",
            "These days a chicken leg is a rare dish.",
            "Rice is often served in round bowls.",
            "The juice of lemons makes fine punch.",
            "The box was thrown beside the parked truck.",
            "Four hours of steady work faced us.",
        ],
    ),
    "de": (
        "de",
        [
            "Der Zug nach Berlin fährt um acht Uhr ab.",
            "Im Garten blühen im Frühling viele Blumen.",
            "Kannst du mir bitte das Salz reichen?",
            "Die Kinder spielen am Nachmittag im Park.",
            "Morgen wird es regnen und windig sein.",
            "Er liest jeden Abend ein spannendes Buch.",
            "Die Suppe ist heute besonders heiß.",
            "Wir treffen uns vor dem alten Rathaus.",
        ],
    ),
    "fr": (
        "fr",
        [
            "Le train pour Paris part à huit heures.",
            "Il fait beau aujourd'hui sur la côte.",
            "Peux-tu me passer le sel, s'il te plaît?",
            "Les enfants jouent dans le jardin public.",
            "Nous avons acheté du pain frais ce matin.",
            "La réunion commence après le déjeuner.",
            "Elle écoute de la musique en travaillant.",
            "Le chat dort tranquillement sur le canapé.",
        ],
    ),
    "es": (
        "es",
        [
            "El tren a Madrid sale a las ocho.",
            "Hoy hace un día muy bonito en la playa.",
            "¿Me puedes pasar la sal, por favor?",
            "Los niños juegan en el parque por la tarde.",
            "Mañana vamos a visitar a nuestros abuelos.",
            "La cena estará lista en diez minutos.",
            "Ella lee el periódico cada mañana.",
            "El perro corre detrás de la pelota roja.",
        ],
    ),
    "zh": (
        "cmn",
        [
            "今天天气很好，我们去公园散步吧。",
            "火车八点钟从北京出发。",
            "请把盐递给我，谢谢。",
            "孩子们下午在花园里玩耍。",
            "明天可能会下雨，记得带伞。",
            "他每天晚上都看一本书。",
            "这家饭馆的面条非常好吃。",
            "我们在老图书馆门口见面。",
        ],
    ),
}
