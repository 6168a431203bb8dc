"""Fixed ad and CV texts on which every faster copy of a model is checked against fp32 (torch's int8
copy is also calibrated on them; ONNX exports are verified on them)."""

from __future__ import annotations

from jobsai.embed.prefixes import TextKind

CALIBRATION_TEXTS: tuple[tuple[TextKind, str], ...] = (
    (
        "passage",
        "Undersköterska till hemtjänsten i Västerås\nVi söker dig som är utbildad undersköterska och vill "
        "arbeta med omsorg om äldre i deras hem. Arbetet sker dagtid och varannan helg. Körkort B är "
        "ett krav. Du är lyhörd, flexibel och har lätt för att samarbeta. Tjänsten är en "
        "tillsvidareanställning på heltid med tillträde enligt överenskommelse. Välkommen med din ansökan!",
    ),
    (
        "passage",
        "Backend-utvecklare (Java/Kotlin) till fintechbolag i Stockholm. Du bygger och driftar våra "
        "betaltjänster i AWS med Kubernetes, PostgreSQL och Kafka. Vi tror att du har minst 3 års "
        "erfarenhet, gillar testdriven utveckling och kommunicerar obehindrat på svenska och engelska. "
        "Hybridarbete 2–3 dagar/vecka. Lön enligt överenskommelse, friskvårdsbidrag 5 000 kr/år.",
    ),
    (
        "passage",
        "Lagerarbetare – Jönköping. Plock, pack och truckkörning (A+B) i treskift. Start v. 34! "
        "Krav: truckkort, goda kunskaper i svenska, noggrannhet. Meriterande: erfarenhet av WMS. "
        "Kontakt: rekrytering@example.se, tel. 036-123 45 67.",
    ),
    (
        "passage",
        "We are looking for a Senior Data Engineer to join our analytics platform team in Gothenburg. "
        "You will design data pipelines in Python and SQL, work with dbt and Airflow, and mentor "
        "junior colleagues. Fluent English required; Swedish is a plus.",
    ),
    (
        "query",
        "Legitimerad sjuksköterska med fem års erfarenhet inom psykiatrisk öppenvård och akutsjukvård. "
        "Specialistutbildning i psykiatri, van vid journalsystemet Cosmic, B-körkort. Söker fast tjänst "
        "i Östergötland eller Sörmland.",
    ),
    (
        "query",
        "Experienced software developer: Python, Django, React, Docker, CI/CD. MSc Computer Science "
        "(KTH). Languages: Swedish, English, Arabic.",
    ),
    ("query", "elektriker Malmö"),
    ("passage", "Kock sökes till restaurang i Umeå, kvällar och helger."),
)
"""Fixed texts (so the int8 model is deterministic) used to calibrate and check quantisation.

They are run joined per kind, as two long unpadded sequences: long inputs show the activation
ranges that long ads reach, and two forward passes keep start-up short."""
