"""Word lists for the data generator: names, streets, cities and phrases a utility's records contain.

Lists are ordered from most to least common; the generator weights them by rank so that a million
persons show the spread of a real customer base (many Smiths, a few Søndergaards), accented names
included so that accent-insensitive search has something to find.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES_FEMALE = _words(
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Sandra Margaret "
    "Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia "
    "Amy Kathleen Angela Shirley Brenda Emma Anna Pamela Nicole Samantha Katherine Christine Helen Debra Rachel "
    "Carolyn Janet Maria Catherine Heather Diane Olivia Julie Joyce Victoria Ruth Virginia Lauren Kelly Christina "
    "Joan Evelyn Judith Andrea Hannah Megan Cheryl Jacqueline Martha Madison Teresa Gloria Sara Janice Ann "
    "Kathryn Abigail Sophia Frances Jean Alice Judy Isabella Julia Grace Amber Denise Danielle Marilyn Beverly "
    "Charlotte Natalie Theresa Diana Brittany Doris Kayla Alexis Lori Marie José Zoë Chloé Renée Françoise "
    "Hélène Mónica Lucía Inés Sofía Ana Guadalupe Rosa Carmen Ximena Leticia Yesenia Mei Ling Priya Aisha "
    "Fatima Ngozi Amara Yuki Hana Min-jung Ingrid Astrid Björg Małgorzata Agnieszka Zsófia Noémie Gaëlle "
    "Anaïs Siobhán Aoife Saoirse Dagmar"
)

FIRST_NAMES_MALE = _words(
    "James Robert John Michael David William Richard Joseph Thomas Christopher Charles Daniel Matthew Anthony "
    "Mark Donald Steven Andrew Paul Joshua Kenneth Kevin Brian George Timothy Ronald Jason Edward Jeffrey Ryan "
    "Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander "
    "Patrick Frank Raymond Jack Dennis Jerry Tyler Aaron Henry Adam Douglas Nathan Peter Zachary Kyle Noah "
    "Ethan Jeremy Walter Christian Keith Roger Terry Austin Sean Gerald Carl Harold Dylan Arthur Lawrence "
    "Jordan Jesse Bryan Billy Bruce Gabriel Joe Logan Alan Juan Albert Willie Elijah Wayne Randy Vincent "
    "Mason Roy Ralph Bobby Russell Bradley Philip Eugene Luis Carlos Jorge Alejandro Andrés Joaquín Ramón "
    "Óscar Íñigo Sebastián Jesús Matías François Jean-Luc Jérôme Benoît Loïc Stéphane René André Björn Sören "
    "Lars Håkon Jörg Jürgen Günter Łukasz Paweł Wojciech Tomáš Miloš Ahmed Omar Tariq Rahul Arjun Vikram "
    "Hiroshi Kenji Wei Jun Minh Duc Chinedu Kwame Oluwaseun Tadhg Seán Ciarán Dmitri Nikolai"
)

SURNAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall "
    "Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes "
    "Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard "
    "Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price "
    "Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell "
    "Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton "
    "Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar "
    "Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells "
    "Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez "
    "Silva Shaw Snyder Mason Dixon Muñoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone "
    "Salazar Fox Warren Mills Meyer Rice Schmidt García Martínez Rodríguez Hernández López González Pérez "
    "Sánchez Ramírez Gómez Díaz Núñez Peña Álvarez Jiménez Gutiérrez Vásquez Ibáñez Müller Schäfer Krüger "
    "Schröder Jäger Böhm Weiß Köhler Zimmermann Becker Hoffmann Richter Wolf Bauer Hartmann Vogel Brandt "
    "O'Brien O'Connor O'Neill McCarthy Gagnon Tremblay Côté Bélanger Lévesque Bouchard Pelletier "
    "Lefèvre Dubois Moreau Girard Leclerc Fournier Gauthier Lindqvist Åberg Björk Johansson Larsen Hansen "
    "Nielsen Søndergaard Ødegaard Kowalski Nowak Wiśniewski Wójcik Dąbrowski Zieliński Lewandowski Dvořák "
    "Novák Horváth Nagy Popescu Ivanov Petrov Papadopoulos Rossi Russo Ferrari Esposito Bianchi Romano "
    "Colombo D'Angelo Costa Santos Oliveira Pereira Gonçalves Fernandes Nakamura Tanaka Suzuki Sato Yamamoto "
    "Wang Li Zhang Liu Huang Wu Park Choi Shah Singh Khan Gupta Mehta Iyer Reddy Ali Hussein Haddad Nasser "
    "Okafor Adeyemi Mensah Okonkwo Abubakar Öztürk Yılmaz Şahin Cohen Levy Friedman Kaplan"
)

NICKNAMES = {
    "Robert": "Bob",
    "William": "Bill",
    "Richard": "Dick",
    "James": "Jim",
    "Elizabeth": "Liz",
    "Margaret": "Peggy",
    "Katherine": "Kate",
    "Michael": "Mike",
    "Joseph": "Joe",
    "Thomas": "Tom",
    "Jennifer": "Jenny",
    "Patricia": "Pat",
    "Alexander": "Alex",
    "Christopher": "Chris",
    "Francisco": "Paco",
    "Guadalupe": "Lupe",
    "Rebecca": "Becky",
    "Deborah": "Debbie",
}

BUSINESS_WORDS = _words(
    "Bakery Plumbing Hardware Dental Auto Repair Florist Pharmacy Grocery Diner Coffee Brewing Laundry "
    "Printing Logistics Construction Landscaping Veterinary Fitness Pizzeria Salon Tailoring Electric "
    "Roofing Bookshop Optical Cleaners Farm Dairy Creamery Machining Storage Motel Cinema Bistro Deli Tavern "
    "Carpentry Pet Supply"
)
BUSINESS_PREFIXES = [
    "Acme",
    "Northside",
    "Riverside",
    "Lakeview",
    "Maple",
    "Summit",
    "Prairie",
    "Heartland",
    "Golden",
    "Blue Sky",
    "Evergreen",
    "Main Street",
    "Oak Valley",
    "Harbor",
    "Pioneer",
    "Liberty",
    "Cedar",
    "Union",
    "Keystone",
    "Sunrise",
    "Great Lakes",
    "Crossroads",
    "Hillcrest",
]
BUSINESS_SUFFIXES = ["Inc.", "LLC", "Ltd", "Co.", "& Sons", "Corp.", "Group", ""]

STREET_NAMES = _words(
    "Main Elm Oak Maple Cedar Pine Washington Lincoln Jefferson Church Mill Park Lake Hill River Spring Walnut "
    "Chestnut Cherry Willow Birch Hickory Sycamore Poplar Locust Ash Franklin Madison Monroe Adams Jackson "
    "Grant Sheridan Prospect Highland Sunset Ridge Meadow Forest Orchard Garden Center Market Union Liberty "
    "Water Front High School Bridge Pleasant Green Fairview Broadway Railroad Depot Summit Valley Grove "
    "Cottage Academy Court Harrison Wilson Taylor Grand Kingsley Beech Magnolia Dogwood Laurel Aspen Spruce "
    "Juniper Evergreen Lakeshore Riverside Woodland Brookside Meadowbrook Country Club Ouellette Tecumseh "
    "Pelissier Dufferin Wellington Victoria Queen King Erie Huron Ontario Michigan Superior Ohio Wabash "
    "Kickapoo Cahokia Sangamon Marquette Joliet Lafayette Hennepin Fox Illinois Indiana"
)
NUMBERED_STREETS = [
    f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}" for n in range(1, 61)
]
STREET_TYPES = ["Street", "Avenue", "Road", "Drive", "Lane", "Court", "Boulevard", "Place", "Way", "Terrace"]
STREET_TYPE_WEIGHTS = [34, 22, 12, 12, 6, 5, 3, 3, 2, 1]
DIRECTIONS = ["North", "South", "East", "West"]

# city, state or province, country, postal prefix, area codes, division, relative population
CITIES: list[tuple[str, str, str, str, tuple[str, ...], str, int]] = [
    ("Chicago", "IL", "US", "606", ("312", "773", "872"), "NORTH", 60),
    ("Aurora", "IL", "US", "605", ("630", "331"), "NORTH", 8),
    ("Naperville", "IL", "US", "605", ("630", "331"), "NORTH", 7),
    ("Joliet", "IL", "US", "604", ("815", "779"), "NORTH", 6),
    ("Rockford", "IL", "US", "611", ("815", "779"), "NORTH", 6),
    ("Evanston", "IL", "US", "602", ("847", "224"), "NORTH", 3),
    ("Springfield", "IL", "US", "627", ("217", "447"), "SOUTH", 5),
    ("Peoria", "IL", "US", "616", ("309",), "SOUTH", 5),
    ("Champaign", "IL", "US", "618", ("217", "447"), "SOUTH", 4),
    ("Bloomington", "IL", "US", "617", ("309",), "SOUTH", 3),
    ("Decatur", "IL", "US", "625", ("217", "447"), "SOUTH", 3),
    ("Indianapolis", "IN", "US", "462", ("317", "463"), "SOUTH", 30),
    ("Fort Wayne", "IN", "US", "468", ("260",), "NORTH", 9),
    ("South Bend", "IN", "US", "466", ("574",), "NORTH", 4),
    ("Evansville", "IN", "US", "477", ("812", "930"), "SOUTH", 4),
    ("Gary", "IN", "US", "464", ("219",), "NORTH", 3),
    ("Milwaukee", "WI", "US", "532", ("414",), "NORTH", 20),
    ("Madison", "WI", "US", "537", ("608",), "NORTH", 10),
    ("Green Bay", "WI", "US", "543", ("920",), "NORTH", 4),
    ("Kenosha", "WI", "US", "531", ("262",), "NORTH", 3),
    ("Detroit", "MI", "US", "482", ("313",), "NORTH", 22),
    ("Grand Rapids", "MI", "US", "495", ("616",), "NORTH", 7),
    ("Lansing", "MI", "US", "489", ("517",), "NORTH", 4),
    ("Ann Arbor", "MI", "US", "481", ("734",), "NORTH", 4),
    ("Kalamazoo", "MI", "US", "490", ("269",), "SOUTH", 3),
    ("Toledo", "OH", "US", "436", ("419", "567"), "SOUTH", 9),
    ("Columbus", "OH", "US", "432", ("614", "380"), "SOUTH", 28),
    ("Windsor", "ON", "CA", "N9A", ("519", "226", "548"), "NORTH", 7),
    ("London", "ON", "CA", "N6A", ("519", "226", "548"), "NORTH", 7),
    ("Sarnia", "ON", "CA", "N7T", ("519", "226"), "NORTH", 2),
]

EMAIL_DOMAINS = [
    ("gmail.com", 36),
    ("yahoo.com", 12),
    ("outlook.com", 9),
    ("hotmail.com", 8),
    ("icloud.com", 8),
    ("comcast.net", 5),
    ("aol.com", 3),
    ("att.net", 3),
    ("sbcglobal.net", 2),
    ("proton.me", 2),
    ("sympatico.ca", 1),
]

LIFE_SUPPORT = [
    "Home oxygen concentrator",
    "Home dialysis machine",
    "CPAP machine, medically required",
    "Electric wheelchair charging",
    "Ventilator at home",
    "Refrigerated insulin storage",
]

# Sentences a CSR writes, by contact type; any type not listed uses its shorthand.
CONTACT_NOTES: dict[tuple[str, str], list[str]] = {
    ("INQ", "BILLQ"): [
        "Customer asked why the bill went up; explained the seasonal rate change.",
        "Customer did not understand the delivery charge; walked through the bill line by line.",
        "Customer asked about an estimated reading on the last bill.",
        "Customer asked when the next bill is due and how to pay online.",
    ],
    ("INQ", "PAYARR"): [
        "Customer lost their job and asked to spread the balance over six months.",
        "Customer asked for an extension until the end of the month.",
        "Customer requested a payment plan for the winter balance.",
    ],
    ("INQ", "MOVEIN"): [
        "Customer is moving in on the first and wants service in their name.",
        "New tenant asked to start service; explained the deposit.",
    ],
    ("CMPL", "GEN"): [
        "Customer is unhappy with how long the phone queue took this morning.",
        "Customer complained that the crew left the gate open and the dog got out.",
        "Customer complained about repeated estimated bills at the property.",
        "Customer is upset that the service visit was missed without notice.",
    ],
    ("SVC", "OUTAGE"): [
        "Power is out on the whole street since the storm last night.",
        "Lights flickering and then went out; neighbours affected too.",
        "Partial outage: half of the house has no power.",
    ],
    ("SVC", "METER"): [
        "Meter display is blank; customer sent a photo.",
        "Meter seal appears broken; customer reported it.",
        "Meter is making a clicking noise.",
    ],
    ("BILL", "HIBILL"): [
        "Customer says this bill is twice the usual amount for the same usage.",
        "High bill after a vacation month; customer asks for a re-read.",
        "Customer disputes the reading on the last bill and gave their own.",
    ],
    ("BILL", "PAYMT"): [
        "Customer paid at the bank branch and read out the confirmation number.",
        "Customer says the payment was made online yesterday.",
    ],
    ("GEN", "ADDRCHG"): [
        "Customer gave a new mailing address for bills.",
        "Customer asked that bills go to a PO box from now on.",
    ],
    ("GEN", "PREMNOTE"): [
        "Dog on premises; call before entering the yard.",
        "Meter is behind a locked gate; code at the front office.",
        "Gas smell reported near the meter last winter; crew checked, no leak.",
    ],
}
