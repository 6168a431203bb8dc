#!/usr/bin/env python3
"""Write bench/eval-dev2/labels.json from the hand-made table below. Standard library only.

The table holds what a person decided for each CV: language, category, half, target
occupations (concept ids of occupations that occur among the ads) and a one-line note.
`target_group` and `target_field` are not typed by hand: they are the groups and fields
that the ads themselves carry for those occupations.

Usage (from the repository root, with ../shared next to it):
    python3 bench/eval-dev2/make_labels.py                 # write labels.json, print counts
    python3 bench/eval-dev2/make_labels.py --check         # only check that labels.json is up to date
    python3 bench/eval-dev2/make_labels.py --table         # also print the README table (markdown)
    python3 bench/eval-dev2/make_labels.py --file-order R.json   # write a rankings file: all ads in file order
    python3 bench/eval-dev2/make_labels.py --check --half A /tmp/labels-A.json   # labels of one half, for score.py
"""

import argparse
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ADS = os.path.normpath(os.path.join(HERE, os.pardir, os.pardir, os.pardir, "shared", "data", "jobtech",
                                            "ads.jsonl"))
LABELS = os.path.join(HERE, "labels.json")
CVS = os.path.join(HERE, "cvs")

CATEGORIES = ("junior", "career_change", "english_abroad", "long", "short", "credential", "ordinary")

# Occupation concept ids used below (label as in the ads).
ABONNEMANG = "aoUt_f9s_rAk"  # Abonnemangsförsäljare
BARNVAKT = "zVkQ_wLL_78i"  # Barnvakt
BLASTRARE = "TpfP_AE2_vBL"  # Blästrare
BOLAGSJURIST = "EsXb_35r_rTR"  # Bolagsjurist
BUTIKSSALJARE = "ek9W_CmD_y2M"  # Butikssäljare, fackhandel
CONTROLLER = "GrZU_ofe_QAx"  # Controller
DATABASUTV = "rz2m_96d_vyF"  # Databasutvecklare
DACKMONTOR = "KRGZ_uFp_LuK"  # Däckmontör
EVENTSALJARE = "Fcpk_WQT_4hS"  # Eventförsäljare
FRITIDSLEDARE = "ZnNn_D2K_pTi"  # Fritidsledare
FRITIDSLEDARE_FORS = "iwfM_TL3_Duw"  # Fritidsledare, församling/Ungdomsledare, församling
FYSIKER = "z5se_M6P_58t"  # Fysiker
FYSIOTERAPEUT = "raVz_oTw_N3e"  # Fysioterapeut
FORSAKRING = "1oPB_E5L_n8e"  # Försäkringsrådgivare/Försäkringssäljare
GRUNDLARARE = "zGHj_2Jf_oKy"  # Lärare i grundskolan, årskurs 1-3 (Grundlärare, förskoleklass och 1-3)
GYMNASIELARARE = "f8q7_Rwv_TP4"  # Lärare i gymnasieskolan
INNESALJARE = "jsUx_ngg_Kz2"  # Innesäljare
JOBBCOACH = "gPCx_T6e_6P8"  # Jobbcoach/Utbildningscoach
KEMIST = "HtLv_4EJ_o5r"  # Kemist
KOCK = "JbJw_as4_S93"  # Kock à la carte
KOKSBITRADE = "oRB5_b7i_Qzv"  # Köksbiträde
LAKARE = "9K3i_XD4_Kyy"  # Läkare
MONTOR_TRA = "dxsZ_fG8_hvR"  # Montör, träprodukter
OPSSK = "YJKc_yXU_DUH"  # Operationssjuksköterska
PEDAGOGASSISTENT = "haFH_21Z_Nys"  # Pedagogassistent
PERS_ASSISTENT = "eU1q_zvL_9Rf"  # Personlig assistent
PROJEKTLEDARE_IT = "z5AM_ayf_WcL"  # Projektledare, IT
PROVNINGSING = "VUEH_TU9_KqG"  # Provningsingenjör, maskin
PSYKSSK = "UVrW_krj_vk8"  # Psykiatrisjuksköterska
REDOVISNINGSCHEF = "Ld9h_41y_zvw"  # Redovisningschef
SJUKSKOTERSKA = "bXNH_MNX_dUR"  # Sjuksköterska, grundutbildad
SKOLSKOTERSKA = "szfD_hPZ_y7M"  # Skolsköterska
SOCIALSEKRETERARE = "FwM7_WYB_qgc"  # Socialsekreterare
SOCIONOM = "aEF1_qeh_5Qe"  # Socionom
SPECIALISTLAKARE = "oHyy_M2j_HUP"  # Specialistläkare
SYSTEMUTV = "fg7B_yov_smw"  # Systemutvecklare/Programmerare
SAKERHET = "PLBW_6Py_neC"  # Säkerhetsrådgivare
TELEFONSALJARE = "WZ2C_vH9_8ek"  # Telefonförsäljare
TERMINAL = "CVjf_1aa_fhe"  # Terminalarbetare
TRAFIKLEDARE = "2sRC_oHm_7XA"  # Trafikledare, vägtrafik
TVATTERI = "wEd2_PmP_Pbi"  # Tvätteriarbetare/Tvättbiträde
UNDERHALLSPLANERARE = "ZZgh_ma9_HHc"  # Underhållsplanerare
USK = "Y3QA_5pk_uXd"  # Undersköterska, hemtjänst, äldreboende och habilitering
LEKTOR = "9kWY_X1U_RyC"  # Universitets- och högskolelektor
UTESALJARE = "p17k_znk_osi"  # Utesäljare
VERKSAMHETSANALYTIKER = "X1FS_ZXE_DT2"  # Verksamhetsanalytiker
VERKSAMHETSARKITEKT = "Wui8_Q9N_NVc"  # Verksamhetsarkitekt
ANLAGGNING = "MQHi_q9J_x2d"  # Väg- och anläggningsarbetare
YRKESLARARE = "Hob8_zfc_5ge"  # Yrkeslärare

# cv number, lang, category, half, target occupations, note
TABLE = [
    (1, "sv", "ordinary", "A", [ABONNEMANG, INNESALJARE, TELEFONSALJARE, UTESALJARE],
     "B2B telecom seller (phone and visits) to SMEs, six years"),
    (2, "en", "english_abroad", "B", [SJUKSKOTERSKA, USK],
     "Philippine-trained RN, Swedish legitimation 2025, now working as undersköterska in elderly care"),
    (3, "sv", "junior", "A", [DACKMONTOR],
     "school leaver from the vehicle programme, two seasons of tyre changes"),
    (4, "sv", "long", "A", [GRUNDLARARE],
     "long CV: licensed F-3 teacher, reading and writing lead, many associations"),
    (5, "sv", "career_change", "A", [TRAFIKLEDARE, TERMINAL],
     "truck driver in Kiruna who wants to become a transport dispatcher; earlier terminal work"),
    (6, "sv", "credential", "B", [FYSIOTERAPEUT],
     "'legitimerad fysioterapeut' in primary care; 'legitimerad' is shared with nurses and doctors"),
    (7, "sv", "short", "A", [TELEFONSALJARE, INNESALJARE],
     "very short: phone seller of power contracts and solar panels"),
    (8, "sv", "ordinary", "B", [UNDERHALLSPLANERARE],
     "maintenance planner, former industrial electrician, food industry; table layout"),
    (9, "en", "english_abroad", "A", [KOCK],
     "Italian à la carte cook (chef de partie) now living in Gävle"),
    (10, "sv", "junior", "B", [BARNVAKT, PEDAGOGASSISTENT],
     "child and recreation programme student, babysitting and day-camp summer jobs"),
    (11, "sv", "career_change", "B", [SAKERHET],
     "army officer leaving for a civil protective-security role (säkerhetsskydd)"),
    (12, "sv", "ordinary", "A", [OPSSK, SJUKSKOTERSKA],
     "operating-theatre nurse (orthopaedics), also a registered nurse"),
    (13, "en", "credential", "A", [USK, PERS_ASSISTENT],
     "US 'Licensed Practical Nurse' = undersköterska level, NOT a registered nurse; personal assistant now"),
    (14, "sv", "ordinary", "B", [BOLAGSJURIST],
     "tax lawyer (income tax, real-estate clients) at a law firm"),
    (15, "sv", "junior", "A", [JOBBCOACH],
     "engineering-physics student, maths homework helper, wants a tutoring side job"),
    (16, "en", "english_abroad", "B", [FYSIKER],
     "Iranian M.Sc. in condensed-matter theory (DFT) applying for PhD positions"),
    (17, "sv", "ordinary", "A", [USK, PERS_ASSISTENT],
     "personnummer: undersköterska in dementia care and home care"),
    (18, "en", "long", "B", [VERKSAMHETSANALYTIKER, DATABASUTV],
     "long English CV: people/business analytics lead and BI developer, many associations"),
    (19, "sv", "career_change", "A", [SYSTEMUTV, USK],
     "undersköterska retrained as .NET/React developer, wants e-health systems"),
    (20, "sv", "short", "B", [DACKMONTOR],
     "very short with personnummer: tyre fitter, six years"),
    (21, "sv", "ordinary", "A", [FORSAKRING],
     "insurance adviser for farms and forest owners in Jämtland"),
    (22, "en", "english_abroad", "A", [PROVNINGSING],
     "Indian mechanical test and validation engineer (power tools, cutting equipment)"),
    (23, "sv", "junior", "B", [TERMINAL],
     "school leaver, summer jobs at a parcel terminal and a warehouse, forklift licence"),
    (24, "sv", "ordinary", "B", [PERS_ASSISTENT],
     "flowing prose: personal assistant for young men with disabilities, eight years"),
    (25, "sv", "credential", "A", [GYMNASIELARARE],
     "'legitimerad gymnasielärare' in English and Swedish; 'legitimerad' is shared with health professions"),
    (26, "sv", "ordinary", "B", [VERKSAMHETSARKITEKT, VERKSAMHETSANALYTIKER],
     "municipal business architect / process modeller, earlier business analyst"),
    (27, "sv", "career_change", "B", [SOCIALSEKRETERARE, SOCIONOM],
     "security guard for 12 years, new socionom, wants child-welfare casework"),
    (28, "en", "english_abroad", "B", [SPECIALISTLAKARE, LAKARE],
     "German specialist in general practice with Swedish licence, wants distriktsläkare"),
    (29, "sv", "ordinary", "A", [ANLAGGNING],
     "ground worker laying water and sewage pipes, excavator"),
    (30, "sv", "junior", "A", [EVENTSALJARE, UTESALJARE, TELEFONSALJARE],
     "school leaver, cashier and kiosk summer jobs, young-enterprise sales prize; wants sales"),
    (31, "sv", "long", "A", [PSYKSSK, SJUKSKOTERSKA],
     "long CV: specialist psychiatric nurse in outpatient psychiatry, hobbies and references"),
    (32, "en", "short", "A", [KOKSBITRADE],
     "very short English: kitchen assistant in a school kitchen"),
    (33, "sv", "ordinary", "B", [BUTIKSSALJARE, EVENTSALJARE],
     "outdoor-equipment shop seller and deputy store manager"),
    (34, "sv", "credential", "B", [REDOVISNINGSCHEF, CONTROLLER],
     "'auktoriserad redovisningskonsult' leading an accounting team; 'auktoriserad' is shared with electricians"),
    (35, "en", "english_abroad", "A", [SYSTEMUTV],
     "Ukrainian senior fullstack developer (React/TypeScript, Java)"),
    (36, "sv", "ordinary", "A", [SKOLSKOTERSKA, SJUKSKOTERSKA],
     "school nurse, earlier district nurse with diabetes clinic"),
    (37, "sv", "career_change", "A", [INNESALJARE, UTESALJARE, BUTIKSSALJARE],
     "hardware-store manager who wants B2B sales (inside or field)"),
    (38, "sv", "junior", "B", [KOKSBITRADE, KOCK],
     "personnummer: restaurant-programme graduate, kitchen summer jobs"),
    (39, "sv", "ordinary", "A", [SOCIALSEKRETERARE, SOCIONOM],
     "terse: socialsekreterare in child-welfare investigations"),
    (40, "en", "english_abroad", "B", [KEMIST],
     "Egyptian analytical chemist, PhD, QC lab and chemicals regulation (SDS, REACH)"),
    (41, "sv", "ordinary", "B", [PEDAGOGASSISTENT, BARNVAKT],
     "pupil assistant with NPF experience, babysitting on the side"),
    (42, "en", "career_change", "B", [INNESALJARE, TELEFONSALJARE],
     "French hotel front-office supervisor who wants B2B phone sales"),
    (43, "sv", "junior", "A", [USK, PERS_ASSISTENT],
     "new undersköterska from the care programme, summer temp jobs"),
    (44, "sv", "long", "B", [CONTROLLER, REDOVISNINGSCHEF],
     "long CV: municipal controller and acting head of accounting, hobbies and references"),
    (45, "sv", "short", "B", [TVATTERI],
     "very short with personnummer: industrial laundry worker"),
    (46, "sv", "credential", "B", [BLASTRARE],
     "'certifierad svetsare' who blasts and heat-treats castings; 'certifierad' is a welding credential"),
    (47, "sv", "ordinary", "A", [EVENTSALJARE, UTESALJARE],
     "face-to-face field-sales team leader, earlier door-to-door"),
    (48, "en", "english_abroad", "A", [GYMNASIELARARE],
     "Irish English teacher with Swedish teacher certificate, adult and business English"),
    (49, "en", "junior", "B", [BARNVAKT],
     "Spanish master's student who wants a babysitting side job"),
    (50, "sv", "ordinary", "B", [FRITIDSLEDARE, FRITIDSLEDARE_FORS],
     "youth-centre leader, HBTQI+ meeting place, earlier parish youth leader"),
    (51, "sv", "career_change", "A", [YRKESLARARE],
     "'auktoriserad elinstallatör' who wants to teach electricians (vocational teacher)"),
    (52, "sv", "ordinary", "B", [MONTOR_TRA],
     "assembler in a kitchen-cabinet factory, earlier CNC in a door factory"),
    (53, "sv", "credential", "A", [PROJEKTLEDARE_IT],
     "'certifierad' IT project manager (IPMA, PMP), search and matching team"),
    (54, "sv", "ordinary", "B", [LEKTOR],
     "senior lecturer (docent) in business administration, accounting"),
]


def load_ads(path):
    ads = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                ads.append(json.loads(line))
    return ads


def codes_by_occupation(ads):
    """occupation id -> (label, set of group ids, set of field ids), from the ads themselves."""
    out = {}
    for ad in ads:
        occ = ad["occupation"]["concept_id"]
        label, groups, fields = out.setdefault(occ, (ad["occupation"]["label"], set(), set()))
        groups.add(ad["occupation_group"]["concept_id"])
        fields.add(ad["occupation_field"]["concept_id"])
    return out


def build(ads):
    occ = codes_by_occupation(ads)
    labels = []
    seen = set()
    for num, lang, category, half, targets, note in TABLE:
        cv = f"d2-{num:02d}.txt"
        if cv in seen:
            raise SystemExit("duplicate " + cv)
        seen.add(cv)
        if lang not in ("sv", "en") or category not in CATEGORIES or half not in ("A", "B"):
            raise SystemExit("bad lang/category/half for " + cv)
        missing = [t for t in targets if t not in occ]
        if not targets or missing:
            raise SystemExit(f"{cv}: target occupations not among the ads: {missing or 'none'}")
        if not os.path.exists(os.path.join(CVS, cv)):
            raise SystemExit("missing CV file " + cv)
        groups = sorted({g for t in targets for g in occ[t][1]})
        fields = sorted({f for t in targets for f in occ[t][2]})
        labels.append({"cv": cv, "lang": lang, "target_occupation": list(targets), "target_group": groups,
                       "target_field": fields, "note": note, "half": half, "category": category})
    on_disk = sorted(f for f in os.listdir(CVS) if f.endswith(".txt"))
    if on_disk != sorted(seen):
        raise SystemExit(f"CV files and table differ: {sorted(set(on_disk) ^ seen)}")
    return labels


def words(cv):
    with open(os.path.join(CVS, cv), encoding="utf-8") as fh:
        return len(fh.read().split())


def print_counts(labels, ads):
    occ = codes_by_occupation(ads)
    n3 = Counter(ad["occupation"]["concept_id"] for ad in ads)
    print(f"CVs: {len(labels)}")
    for key in ("category", "lang", "half"):
        print(f"{key:<9} {dict(sorted(Counter(lab[key] for lab in labels).items()))}")
    print("category x half:")
    for cat in CATEGORIES:
        c = Counter(lab["half"] for lab in labels if lab["category"] == cat)
        print(f"  {cat:<15} A={c['A']} B={c['B']}")
    c = Counter(lab["half"] for lab in labels if lab["lang"] == "en")
    print(f"  {'lang=en':<15} A={c['A']} B={c['B']}")
    wc = {lab["cv"]: words(lab["cv"]) for lab in labels}
    shortest, longest = min(wc, key=wc.get), max(wc, key=wc.get)
    print(f"words: min {wc[shortest]} ({shortest}), max {wc[longest]} ({longest})")
    print(f"long (>700 words): {sorted(cv for cv, n in wc.items() if n > 700)}")
    print(f"short (<60 words): {sorted(cv for cv, n in wc.items() if n < 60)}")
    for lab in labels:
        if lab["category"] == "long" and wc[lab["cv"]] <= 700:
            raise SystemExit(f"{lab['cv']} is 'long' but has {wc[lab['cv']]} words")
        if lab["category"] == "short" and wc[lab["cv"]] >= 60:
            raise SystemExit(f"{lab['cv']} is 'short' but has {wc[lab['cv']]} words")
    used = Counter(t for lab in labels for t in lab["target_occupation"])
    print(f"occupations among the ads used as targets: {len(used)} of {len(occ)}")
    print("never a target: " + ", ".join(sorted(occ[o][0] for o in occ if o not in used)))
    return {lab["cv"]: sum(n3[t] for t in lab["target_occupation"]) for lab in labels}, wc


def print_table(labels, ads, n_grade3, wc):
    occ = codes_by_occupation(ads)
    print("| cv | lang | category | half | words | target occupation(s) | # grade-3 ads |")
    print("|---|---|---|---|---|---|---|")
    for lab in labels:
        names = "; ".join(occ[t][0] for t in lab["target_occupation"])
        cells = [lab["cv"][:-4], lab["lang"], lab["category"], lab["half"], str(wc[lab["cv"]]), names,
                 str(n_grade3[lab["cv"]])]
        print("| " + " | ".join(cells) + " |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ads", default=DEFAULT_ADS)
    parser.add_argument("--check", action="store_true", help="fail if labels.json differs from the table")
    parser.add_argument("--table", action="store_true", help="print the README table")
    parser.add_argument("--file-order", metavar="R.json", help="write rankings with all ads in file order")
    parser.add_argument("--half", nargs=2, metavar=("A|B", "OUT.json"), help="write the labels of one half to OUT")
    args = parser.parse_args(argv)

    ads = load_ads(args.ads)
    labels = build(ads)
    text = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    if args.check:
        with open(LABELS, encoding="utf-8") as fh:
            if fh.read() != text:
                print("labels.json is out of date; run make_labels.py", file=sys.stderr)
                return 1
        print("labels.json is up to date")
    else:
        with open(LABELS, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"wrote {LABELS}")
    n_grade3, wc = print_counts(labels, ads)
    if args.table:
        print_table(labels, ads, n_grade3, wc)
    if args.file_order:
        ids = [str(ad["id"]) for ad in ads]
        with open(args.file_order, "w", encoding="utf-8") as fh:
            json.dump({lab["cv"]: ids for lab in labels}, fh)
        print(f"wrote {args.file_order}")
    if args.half:
        half, out = args.half
        if half not in ("A", "B"):
            parser.error("--half takes A or B")
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(json.dumps([lab for lab in labels if lab["half"] == half], ensure_ascii=False, indent=1) + "\n")
        print(f"wrote {out} (half {half})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
