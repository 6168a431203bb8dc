"""The web UI's words in Swedish (the default) and English, and error messages for each.

Why a plain table: the UI has a few dozen strings, a language toggle must switch them
instantly per browser session (no global locale), and tests can check that both languages
have every key. Error messages are chosen by error *type*, so a scanned PDF is explained
in the person's language; the English wording falls back to the error's own message,
which is more specific.
"""

from __future__ import annotations

from typing import Literal

from jobsai.errors import (
    CorruptFileError,
    CVError,
    EncryptedPDFError,
    FileTooLargeError,
    JobsAIError,
    NoDataError,
    ParseLimitError,
    ScannedPDFError,
    TextTooShortError,
    UnknownFilterValueError,
    UnpackTooLargeError,
    UnsupportedFileTypeError,
)
from jobsai.web.errors import BusyError, NotReadyError, RateLimitedError, SessionNotFoundError

Lang = Literal["sv", "en"]
LANGS: tuple[Lang, ...] = ("sv", "en")
DEFAULT_LANG: Lang = "sv"

STRINGS: dict[str, dict[Lang, str]] = {
    "title": {"sv": "JobsAI – hitta jobb som passar ditt CV", "en": "JobsAI – find jobs that fit your CV"},
    "tagline": {
        "sv": "Ladda upp ditt CV så jämför vi det med lediga jobb i Platsbanken och förklarar varför de passar.",
        "en": "Upload your CV and we compare it with open jobs on Platsbanken and explain why they fit.",
    },
    "language": {"sv": "Språk", "en": "Language"},
    "tab_upload": {"sv": "Ladda upp CV", "en": "Upload CV"},
    "tab_paste": {"sv": "Klistra in text", "en": "Paste text"},
    "upload_label": {"sv": "Ditt CV (PDF, Word .docx eller text)", "en": "Your CV (PDF, Word .docx or text)"},
    "paste_label": {"sv": "Klistra in texten i ditt CV", "en": "Paste the text of your CV"},
    "paste_placeholder": {
        "sv": "Till exempel: Undersköterska med fem års erfarenhet av hemtjänst …",
        "en": "For example: Assistant nurse with five years of home-care experience …",
    },
    "filters": {"sv": "Filter", "en": "Filters"},
    "municipality": {"sv": "Kommun", "en": "Municipality"},
    "region": {"sv": "Län", "en": "Region (county)"},
    "occupation_field": {"sv": "Yrkesområde", "en": "Occupation field"},
    "employment_type": {"sv": "Anställningsform", "en": "Employment type"},
    "working_hours": {"sv": "Arbetstid", "en": "Working hours"},
    "published_within": {"sv": "Publicerad", "en": "Published"},
    "any_time": {"sv": "När som helst", "en": "Any time"},
    "within_days": {"sv": "Senaste {days} dagarna", "en": "Last {days} days"},
    "within_day": {"sv": "Senaste dygnet", "en": "Last 24 hours"},
    "choose_any": {"sv": "Alla – skriv för att söka", "en": "All – type to search"},
    "top_k": {"sv": "Antal annonser", "en": "Number of ads"},
    "search": {"sv": "Hitta jobb", "en": "Find jobs"},
    "show_more": {"sv": "Visa fler", "en": "Show more"},
    "consent": {
        "sv": "Ja, spara mitt CV utan personuppgifter tillsammans med min återkoppling så att matchningen kan bli "
        "bättre. (Personnummer, e-post, telefonnummer och adresser tas bort. Du kan ångra dig och radera allt.)",
        "en": "Yes, store my CV without personal details together with my feedback so matching can improve. "
        "(Personal identity numbers, e-mail, phone numbers and addresses are removed. You can change your mind "
        "and delete everything.)",
    },
    "privacy_note": {
        "sv": "Utan ditt samtycke sparas inget från ditt CV – bara vilken annons du bedömde, din bedömning och "
        "placeringen.",
        "en": "Without your consent nothing from your CV is kept – only which ad you rated, your rating and its "
        "position.",
    },
    "delete_title": {"sv": "Radera det du har gett", "en": "Delete what you have given"},
    "delete_token": {"sv": "Din raderingskod", "en": "Your deletion code"},
    "delete_button": {"sv": "Radera", "en": "Delete"},
    "delete_done": {
        "sv": "Klart: {n} sparade bedömningar är raderade.",
        "en": "Done: {n} stored ratings were deleted.",
    },
    "delete_none": {
        "sv": "Det finns inget sparat under den koden (redan raderat, eller aldrig sparat).",
        "en": "Nothing is stored under that code (already deleted, or never stored).",
    },
    "delete_missing": {"sv": "Skriv in din raderingskod först.", "en": "Enter your deletion code first."},
    "delete_prefilled": {
        "sv": "Raderingskoden från länken är ifylld. Klicka på Radera för att radera allt du har gett.",
        "en": "The deletion code from the link is filled in. Click Delete to delete everything you have given.",
    },
    "delete_page_intro": {
        "sv": "Raderingskoden från din länk är ifylld (om du kom hit via länken). Klicka på Radera för att "
        "radera allt du har gett under koden: bedömningarna och, om du samtyckte, ditt CV utan personuppgifter.",
        "en": "The deletion code from your link is filled in (if you came here through it). Click Delete to delete "
        "everything you have given under the code: the ratings and, if you consented, your CV without personal "
        "details.",
    },
    "delete_page_working": {"sv": "Raderar …", "en": "Deleting …"},
    "delete_page_failed": {
        "sv": "Det gick inte att radera just nu. Försök igen om en stund.",
        "en": "Deleting did not work just now. Try again in a moment.",
    },
    "delete_page_back": {"sv": "Tillbaka till JobsAI", "en": "Back to JobsAI"},
    "delete_page_noscript": {
        "sv": "Sidan behöver JavaScript. Du kan också klistra in koden under ”Radera det du har gett” i JobsAI.",
        "en": "This page needs JavaScript. You can also paste the code under “Delete what you have given” in JobsAI.",
    },
    "relevant": {"sv": "Relevant", "en": "Relevant"},
    "not_relevant": {"sv": "Inte relevant", "en": "Not relevant"},
    "saved_relevant": {"sv": "✓ Sparat: relevant. Du kan ändra dig.", "en": "✓ Saved: relevant. You can change it."},
    "saved_not_relevant": {
        "sv": "✓ Sparat: inte relevant. Du kan ändra dig.",
        "en": "✓ Saved: not relevant. You can change it.",
    },
    "token_intro_consent": {
        "sv": "Din återkoppling sparas med ditt CV utan personuppgifter.",
        "en": "Your feedback is stored with your CV, personal details removed.",
    },
    "token_intro_no_consent": {
        "sv": "Din återkoppling sparas utan något från ditt CV.",
        "en": "Your feedback is stored without anything from your CV.",
    },
    "token_keep": {
        "sv": "Spara den här länken eller koden för att radera allt du har gett, när du vill:",
        "en": "Keep this link or code to delete everything you have given, whenever you like:",
    },
    "token_link": {"sv": "Radera min återkoppling", "en": "Delete my feedback"},
    "consent_withdrawn": {
        "sv": "Samtycket är återkallat: ditt CV är borttaget från {n} sparade bedömningar.",
        "en": "Consent withdrawn: your CV was removed from {n} stored ratings.",
    },
    "consent_given": {
        "sv": "Tack! Dina bedömningar sparas nu med ditt CV utan personuppgifter.",
        "en": "Thank you! Your ratings are now stored with your CV, personal details removed.",
    },
    "why": {"sv": "Därför passar den:", "en": "Why it matches:"},
    "why_skills_count": {
        "sv": "{matched} av {total} kompetenser i annonsen finns i ditt CV",
        "en": "{matched} of {total} skills in the ad are in your CV",
    },
    "why_missing": {
        "sv": "Annonsen nämner också – lägg till dem i ditt CV om du har dem",
        "en": "The ad also names – add them to your CV if you have them",
    },
    "why_terms": {"sv": "Ord som ditt CV och annonsen delar", "en": "Words your CV and the ad share"},
    "why_passage": {"sv": "Det här i ditt CV liknar annonsen mest", "en": "The part of your CV closest to the ad"},
    "why_occupation": {"sv": "Yrke", "en": "Occupation"},
    "published": {"sv": "Publicerad", "en": "Published"},
    "deadline": {"sv": "Sista ansökningsdag", "en": "Apply by"},
    "open_platsbanken": {"sv": "Se annonsen på Platsbanken", "en": "See the ad on Platsbanken"},
    "apply": {"sv": "Ansök", "en": "Apply"},
    "show_full_ad": {"sv": "Visa hela annonsen", "en": "Show the whole ad"},
    "score_aria": {"sv": "Matchning {score} av 100", "en": "Match {score} out of 100"},
    "score_high": {"sv": "Mycket god matchning", "en": "Very good match"},
    "score_mid": {"sv": "God matchning", "en": "Good match"},
    "score_low": {"sv": "Viss matchning", "en": "Some match"},
    "understood_title": {"sv": "Det här förstod vi av ditt CV", "en": "What we understood from your CV"},
    "understood_language": {"sv": "Språk", "en": "Language"},
    "understood_words": {"sv": "{words} ord", "en": "{words} words"},
    "understood_pages": {"sv": "{pages} sidor", "en": "{pages} pages"},
    "understood_cv_title": {"sv": "Din yrkestitel", "en": "Your job title"},
    "understood_no_title": {
        "sv": "Ingen yrkestitel hittades överst i CV:t. En rad under ditt namn, till exempel "
        "”Legitimerad sjuksköterska”, ger träffsäkrare resultat.",
        "en": "No job title found at the top of the CV. A line under your name, such as "
        "“Registered nurse”, sharpens the results.",
    },
    "understood_occupations": {
        "sv": "Yrken som verkar passa dig (antal annonser)",
        "en": "Occupations that seem to fit you (number of ads)",
    },
    "understood_skills": {"sv": "Kompetenser vi hittade i ditt CV", "en": "Skills we found in your CV"},
    "understood_hint": {
        "sv": "Stämmer det inte? Lägg till dina yrken och kompetenser i texten och sök igen.",
        "en": "Not right? Add your occupations and skills to the text and search again.",
    },
    "lang_sv": {"sv": "svenska", "en": "Swedish"},
    "lang_en": {"sv": "engelska", "en": "English"},
    "lang_unknown": {"sv": "okänt", "en": "unknown"},
    "kind_pdf": {"sv": "PDF", "en": "PDF"},
    "kind_docx": {"sv": "Word-dokument", "en": "Word document"},
    "kind_txt": {"sv": "textfil", "en": "text file"},
    "kind_paste": {"sv": "inklistrad text", "en": "pasted text"},
    "status_start": {
        "sv": "Ladda upp ditt CV eller klistra in texten, så visar vi de jobb som passar bäst.",
        "en": "Upload your CV or paste its text, and we show the jobs that fit best.",
    },
    "status_stale": {
        "sv": "Obs: annonserna uppdaterades senast för {hours} timmar sedan, så några kan vara tillsatta "
        "eller borttagna.",
        "en": "Note: the ads were last updated {hours} hours ago, so some may be filled or withdrawn.",
    },
    "status_stale_never": {
        "sv": "Obs: annonserna har inte uppdaterats, så några kan vara tillsatta eller borttagna.",
        "en": "Note: the ads have not been updated, so some may be filled or withdrawn.",
    },
    "status_need_cv": {
        "sv": "Ladda upp ditt CV eller klistra in texten först.",
        "en": "Upload your CV or paste its text first.",
    },
    "status_read": {"sv": "Läste ditt CV: {words} ord.", "en": "Read your CV: {words} words."},
    "status_results": {
        "sv": "Här är de {n} annonser som passar ditt CV bäst, den bästa först.",
        "en": "Here are the {n} ads that fit your CV best, best first.",
    },
    "status_no_results": {
        "sv": "Inga annonser matchar de här filtren. Ta bort något filter eller välj en längre tidsperiod.",
        "en": "No ads match these filters. Remove a filter or choose a longer period.",
    },
    "status_loading": {
        "sv": "Annonserna laddas, det kan ta en stund första gången … ({detail})",
        "en": "Loading the ads, this can take a while the first time … ({detail})",
    },
    "status_failed": {
        "sv": "Tjänsten kunde inte starta: {detail}",
        "en": "The service could not start: {detail}",
    },
    "footer": {
        "sv": "Annonserna kommer från Arbetsförmedlingens Platsbanken (JobTech). "
        "[HTTP-API och dokumentation](/docs).",
        "en": "The ads come from the Swedish Public Employment Service's Platsbanken (JobTech). "
        "[HTTP API and documentation](/docs).",
    },
    # errors, by type
    "err_scanned": {
        "sv": "Den här PDF-filen har inget textlager – den ser inskannad ut. Spara CV:t som PDF direkt från "
        "Word eller Google Docs, eller klistra in texten i stället.",
        "en": "This PDF has no text layer – it looks scanned. Save your CV as a PDF straight from Word or "
        "Google Docs, or paste the text instead.",
    },
    "err_encrypted": {
        "sv": "PDF-filen är lösenordsskyddad och kan inte läsas. Spara en kopia utan lösenord eller klistra in "
        "texten i stället.",
        "en": "The PDF is password-protected and cannot be read. Save a copy without a password or paste the "
        "text instead.",
    },
    "err_corrupt": {
        "sv": "Filen är skadad eller inte vad den ser ut att vara. Spara den på nytt eller klistra in texten.",
        "en": "The file is damaged or not what it claims to be. Save it again or paste the text.",
    },
    "err_unsupported": {
        "sv": "Vi kan läsa PDF, Word (.docx) och textfiler. Spara ditt CV i något av de formaten eller klistra "
        "in texten.",
        "en": "We can read PDF, Word (.docx) and text files. Save your CV in one of those formats or paste the "
        "text.",
    },
    "err_too_large": {
        "sv": "Filen är för stor (högst {mb} MB). Ett CV utan stora bilder är oftast under 1 MB.",
        "en": "The file is too large (at most {mb} MB). A CV without large photos is usually under 1 MB.",
    },
    "err_unpacks_too_large": {
        "sv": "Filen packas upp till mycket mer än ett CV någonsin behöver (bilder, text eller struktur) och kan "
        "inte läsas. Spara CV:t på nytt från Word eller Google Docs, som en enklare PDF eller .docx, eller "
        "klistra in texten i stället.",
        "en": "The file unpacks to far more than a CV ever needs (pictures, text or structure) and cannot be "
        "read. Save your CV again from Word or Google Docs as a plainer PDF or .docx, or paste the text instead.",
    },
    "err_limits": {
        "sv": "Filen gick inte att läsa inom våra gränser – den kräver mycket mer tid eller minne än ett CV gör. "
        "Spara en enklare PDF eller .docx från Word eller Google Docs, eller klistra in texten i stället.",
        "en": "The file could not be read within our limits – it needs far more time or memory than a CV does. "
        "Save a plainer PDF or .docx from Word or Google Docs, or paste the text instead.",
    },
    "err_too_short": {
        "sv": "Texten är för kort för att matcha på (minst {words} ord). Lägg till din erfarenhet och dina "
        "kompetenser.",
        "en": "The text is too short to match on (at least {words} words). Add your experience and skills.",
    },
    "err_filter": {
        "sv": "Ett av filtren finns inte bland annonserna längre. Ta bort det och sök igen.",
        "en": "One of the filters no longer matches any ad. Remove it and search again.",
    },
    "err_rate": {
        "sv": "Du har sökt många gånger på kort tid. Vänta {seconds} sekunder och försök igen.",
        "en": "You have searched many times in a short while. Wait {seconds} seconds and try again.",
    },
    "err_busy": {
        "sv": "Tjänsten är hårt belastad just nu. Försök igen om en liten stund.",
        "en": "The service is very busy right now. Try again in a moment.",
    },
    "err_session": {
        "sv": "Sökningen har gått ut (eller raderats). Sök igen för att kunna ge återkoppling.",
        "en": "The search has expired (or was deleted). Search again to give feedback.",
    },
    "err_not_ready": {
        "sv": "Annonserna laddas fortfarande. Försök igen om en liten stund.",
        "en": "The ads are still loading. Try again in a moment.",
    },
    "err_generic": {
        "sv": "Något gick fel: {detail}",
        "en": "Something went wrong: {detail}",
    },
}


def t(lang: str, key: str, **values: object) -> str:
    """The string ``key`` in ``lang`` (Swedish when the language is unknown), formatted with ``values``."""
    entry = STRINGS[key]
    text = entry.get(lang if lang in LANGS else DEFAULT_LANG) or entry[DEFAULT_LANG]
    return text.format(**values) if values else text


def as_lang(value: object) -> Lang:
    """A supported language code from whatever the browser or a toggle sent (default Swedish)."""
    text = str(value or "").strip().lower()
    if text.startswith("en") or text == "english":
        return "en"
    return "sv"


def error_message(lang: Lang, exc: Exception, *, max_upload_bytes: int, min_words: int) -> str:
    """A message for the person, in their language, chosen by the error's type."""
    keyed: list[tuple[type[Exception], str, dict[str, object]]] = [
        (ScannedPDFError, "err_scanned", {}),
        (ParseLimitError, "err_limits", {}),
        (EncryptedPDFError, "err_encrypted", {}),
        (UnsupportedFileTypeError, "err_unsupported", {}),
        (UnpackTooLargeError, "err_unpacks_too_large", {}),  # before its base: within the size limit
        (FileTooLargeError, "err_too_large", {"mb": max(1, round(max_upload_bytes / 1024 / 1024))}),
        (TextTooShortError, "err_too_short", {"words": min_words}),
        (CorruptFileError, "err_corrupt", {}),
        (UnknownFilterValueError, "err_filter", {}),
        (BusyError, "err_busy", {}),
        (SessionNotFoundError, "err_session", {}),
        (NotReadyError, "err_not_ready", {}),
        (NoDataError, "err_not_ready", {}),
    ]
    if isinstance(exc, RateLimitedError):
        return t(lang, "err_rate", seconds=max(1, round(exc.retry_after)))
    if lang == "en" and isinstance(exc, CVError | UnknownFilterValueError):
        return str(exc)  # the extractor's own English message names the file and the problem
    for kind, key, values in keyed:
        if isinstance(exc, kind):
            return t(lang, key, **values)
    if isinstance(exc, JobsAIError):
        return t(lang, "err_generic", detail=str(exc))
    return t(lang, "err_generic", detail=type(exc).__name__)


# -- job alerts (issue 12) ------------------------------------------------------------------------------

STRINGS.update({
    "alert_title": {"sv": "Bevaka nya jobb som passar", "en": "Alert me to new matching jobs"},
    "alert_intro": {
        "sv": "Få veta när nya annonser passar ditt CV lika bra som dagens bästa, utan att ladda upp igen.",
        "en": "Hear about new ads that fit your CV as well as today's best, without uploading again.",
    },
    "alert_stored": {
        "sv": "**Det här sparas om du skapar en bevakning:** ditt CV:s vektorer (siffror som modellen räknat fram) "
              "och dess titel- eller mål-rad (utan namn och kontaktuppgifter) för förklaringen, filtren du använder, "
              "tröskeln och – för e-post – adressen. **CV-texten sparas inte.** Varje bevakning har en hemlig länk "
              "där du pausar, ändrar eller raderar allt. Bevakningar som ingen öppnat en länk från på 180 dagar "
              "raderas efter en påminnelse.",
        "en": "**What is stored if you create an alert:** your CV's vectors (numbers the model computed) and its "
              "title or goal line (without name or contact details) for the explanation, the filters in use, the "
              "threshold and – for e-mail – the address. **The CV's text is not stored.** Every alert has a secret "
              "link to pause, change or delete everything. Alerts with no link opened for 180 days are deleted after "
              "a reminder.",
    },
    "alert_channel": {"sv": "Hur vill du få veta?", "en": "How do you want to hear?"},
    "alert_email_choice": {"sv": "E-post (bekräftas med en länk först)", "en": "E-mail (confirmed by a link first)"},
    "alert_feed_choice": {"sv": "Privat flöde (Atom-länk)", "en": "Private feed (Atom link)"},
    "alert_email": {"sv": "E-postadress", "en": "E-mail address"},
    "alert_level": {"sv": "Vilka jobb?", "en": "Which jobs?"},
    "alert_very_good": {"sv": "Bara mycket bra matchningar", "en": "Only very good matches"},
    "alert_good": {"sv": "Bra matchningar", "en": "Good matches"},
    "alert_frequency": {"sv": "Hur ofta?", "en": "How often?"},
    "alert_instant": {"sv": "Direkt efter varje uppdatering", "en": "At once after each update"},
    "alert_daily": {"sv": "En sammanfattning om dagen", "en": "A daily digest"},
    "alert_consent": {
        "sv": "Jag samtycker till att det som står ovan sparas för bevakningen.",
        "en": "I agree that what is described above is stored for the alert.",
    },
    "alert_create": {"sv": "Skapa bevakning", "en": "Create alert"},
    "alert_need_match": {"sv": "Sök först, sedan kan du bevaka nya jobb som passar.",
                         "en": "Search first; then you can be alerted to new jobs that fit."},
    "alert_need_consent": {"sv": "Kryssa i samtycket först.", "en": "Tick the consent box first."},
    "alert_created_email": {
        "sv": "Klart! Vi har mejlat en bekräftelselänk till {email}. Inget annat skickas förrän du klickar på den. "
              "Din hemliga länk för att pausa, ändra eller radera: {manage}",
        "en": "Done! We have e-mailed a confirmation link to {email}. Nothing else is sent until you follow it. "
              "Your secret link to pause, change or delete: {manage}",
    },
    "alert_created_feed": {
        "sv": "Klart! Lägg till din privata flödeslänk i en flödesläsare: {feed} – och spara din hemliga länk för "
              "att pausa eller radera: {manage}",
        "en": "Done! Add your private feed link to a feed reader: {feed} – and keep your secret link to pause or "
              "delete: {manage}",
    },
    "alert_threshold": {"sv": "Du får jobb med minst {score} i matchning.",
                        "en": "You get jobs with a match score of at least {score}."},
})

# The pages an alert's e-mail links open (web/alerts_api.py).
STRINGS.update({
    "alert_page_confirm_title": {"sv": "Bekräfta jobbevakningen", "en": "Confirm the job alert"},
    "alert_page_confirm_button": {"sv": "Ja, skicka mig nya jobb som passar", "en": "Yes, send me new jobs that fit"},
    "alert_page_confirmed": {
        "sv": "Klart! Du får nya jobb som passar ditt CV.",
        "en": "Done! You will get new jobs that fit your CV.",
    },
    "alert_page_manage_title": {"sv": "Din jobbevakning", "en": "Your job alert"},
    "alert_page_pause": {"sv": "Pausa", "en": "Pause"},
    "alert_page_resume": {"sv": "Återuppta", "en": "Resume"},
    "alert_page_delete": {"sv": "Radera allt", "en": "Delete everything"},
    "alert_page_deleted": {
        "sv": "Bevakningen och allt som sparats med den är raderat.",
        "en": "The alert and everything stored with it is deleted.",
    },
    "alert_page_status": {"sv": "Status", "en": "Status"},
    "alert_page_threshold": {"sv": "Lägsta poäng", "en": "Lowest score"},
    "alert_page_frequency": {"sv": "Hur ofta", "en": "How often"},
    "alert_page_stored": {
        "sv": "Sparat: ditt CV:s vektorer och titelrad, filtren, tröskeln och adressen. Inte CV-texten.",
        "en": "Stored: your CV's vectors and title line, the filters, the threshold and the address. "
        "Not the CV's text.",
    },
    "alert_page_not_found": {
        "sv": "Ingen bevakning har den här länken (raderad eller utgången).",
        "en": "No alert has this link (deleted or expired).",
    },
})
