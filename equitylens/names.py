"""Invented name pools for the synthetic county.

The pools are short lists of common given names and surnames, grouped by the
naming traditions that matter for record linkage: two-part (compound) surnames,
names that are often written family-name first, and names with several Latin
spellings (transliteration). No list comes from any real person's record.
"""

from __future__ import annotations

from typing import Final

FIRST_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "common": (
        "Ava", "Mia", "Zoe", "Maya", "Nora", "Ruby", "Jade", "Iris", "Leah", "Ella",
        "Liam", "Noah", "Owen", "Eli", "Jack", "Luke", "Ezra", "Caleb", "Isaac", "Miles",
        "Jordan", "Taylor", "Riley", "Avery", "Quinn", "Sky", "Rowan", "Sage",
    ),
    "black": (
        "Aaliyah", "Imani", "Nia", "Kiara", "Jasmine", "Amara", "Zuri", "Destiny",
        "Malik", "Jamal", "Darius", "Andre", "Terrell", "Isaiah", "Marcus", "Xavier",
        "Jalen", "Kendall", "Sasha", "Amani",
    ),
    "hispanic": (
        "Sofía", "Valentina", "Camila", "Lucía", "Ximena", "Daniela", "Isabela", "Mariana",
        "Mateo", "Santiago", "Diego", "Alejandro", "Javier", "Emiliano", "Joaquín", "Andrés",
        "Ariel", "Guadalupe",
    ),
    "asian": (
        "Mei", "Hana", "Yuna", "Linh", "Priya", "Ananya", "Ji-woo", "Anh",
        "Kenji", "Minh", "Arjun", "Wei", "Hiroshi", "Tuan", "Rohan", "Jun",
    ),
    "mena": (
        "Layla", "Yasmin", "Noor", "Amira", "Fatima", "Mariam", "Salma", "Rania",
        "Omar", "Youssef", "Karim", "Tariq", "Hassan", "Sami", "Khalil", "Rami",
    ),
    "aian": (
        "Aiyana", "Winona", "Tala", "Kaya", "Nizhoni", "Halona",
        "Ahanu", "Takoda", "Kele", "Dakota", "Chayton", "Elan",
    ),
    "nhpi": (
        "Leilani", "Malia", "Kalani", "Moana", "Nalani", "Mele",
        "Keanu", "Makoa", "Sione", "Tevita", "Kai", "Koa",
    ),
}

SURNAMES: Final[dict[str, tuple[str, ...]]] = {
    "common": (
        "Smith", "Miller", "Brooks", "Carter", "Hayes", "Foster", "Reed", "Bennett",
        "Parker", "Morgan", "Ward", "Griffin", "Hughes", "Porter", "Hale", "Sutton",
        "Walsh", "Doyle", "Fischer", "Novak", "Keller", "Olsen",
    ),
    "black": (
        "Johnson", "Williams", "Jackson", "Washington", "Robinson", "Harris", "Coleman",
        "Banks", "Freeman", "Mitchell", "Jenkins", "Simmons", "Douglas", "Gaines",
    ),
    "hispanic": (
        "García", "López", "Martínez", "Hernández", "González", "Rodríguez", "Pérez",
        "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Morales", "Castillo",
        "Ortiz", "Vargas", "Mendoza", "Reyes",
    ),
    "asian": (
        "Nguyen", "Tran", "Kim", "Park", "Chen", "Wang", "Li", "Patel", "Shah",
        "Tanaka", "Sato", "Le", "Pham", "Choi",
    ),
    "mena": (
        "Haddad", "Khoury", "Nasser", "Saleh", "Mansour", "Hamdan", "Aziz", "Farah",
        "Rahman", "Darwish",
    ),
    "aian": (
        "Begay", "Yazzie", "Tsosie", "Benally", "Redhorse", "Lightfoot", "Tallbear",
        "Whitecloud", "Manygoats",
    ),
    "nhpi": (
        "Kealoha", "Kahale", "Fonoti", "Tupou", "Fifita", "Kaawa", "Leota", "Mahoe",
        "Taufa",
    ),
}

# Spellings a clerk may write for the same name (transliteration variants).
TRANSLITERATIONS: Final[dict[str, tuple[str, ...]]] = {
    "Omar": ("Umar", "Omer"),
    "Youssef": ("Yousef", "Yusuf", "Youcef"),
    "Karim": ("Kareem",),
    "Hassan": ("Hasan",),
    "Khalil": ("Khaleel",),
    "Fatima": ("Fatimah", "Fatma"),
    "Mariam": ("Maryam", "Miriam"),
    "Noor": ("Nur",),
    "Yasmin": ("Yasmine", "Jasmin"),
    "Haddad": ("Hadad",),
    "Khoury": ("Khouri", "Khuri"),
    "Nasser": ("Nasir", "Naser"),
    "Saleh": ("Salih",),
    "Mansour": ("Mansur",),
    "Rahman": ("Rehman",),
    "Nguyen": ("Nguyễn", "Ngyuen"),
    "Tran": ("Trần",),
    "Pham": ("Phạm",),
    "Le": ("Lê",),
    "Chen": ("Chan",),
    "Choi": ("Choe",),
    "Linh": ("Lin",),
    "Ji-woo": ("Jiwoo", "Ji Woo"),
    "Sofía": ("Sofia",),
    "Lucía": ("Lucia",),
    "Joaquín": ("Joaquin",),
    "Andrés": ("Andres",),
    "García": ("Garcia",),
    "López": ("Lopez",),
    "Martínez": ("Martinez",),
    "Hernández": ("Hernandez",),
    "González": ("Gonzalez",),
    "Rodríguez": ("Rodriguez",),
    "Pérez": ("Perez",),
    "Sánchez": ("Sanchez",),
    "Ramírez": ("Ramirez",),
}

# Neighbourhood names for the fictional county (24 places).
NEIGHBOURHOOD_NAMES: Final[tuple[str, ...]] = (
    "Alder Park", "Bellmont", "Cedar Hill", "Dunmore", "East Ferry", "Foxglove",
    "Granite Row", "Harbor View", "Ironwood", "Juniper Flats", "Kestrel Heights", "Linden",
    "Millbrook", "North Quarry", "Oakridge", "Pinecrest", "Quarry Bend", "Riverside",
    "Stonegate", "Tanner's Mill", "Upper Vale", "Westfield", "Willow Creek", "Yardley",
)
