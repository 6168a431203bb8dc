#!/usr/bin/env python3
"""Generate the offline demo job-ad set that ships inside the package.

Why: a person trying JobsAI without network access (JobStream unreachable, empty data
directory) should still see a realistic Platsbanken-like market: a few hundred ads across
most occupation fields and regions, in the exact JobTech JSON schema, so that parsing,
filters, taxonomy matching and ranking behave as they do on real data.

Why generated: real ads contain recruiters' personal data and are not ours to redistribute,
so every ad text here is composed by this script from its own phrase pools. Only public
JobTech *taxonomy* facts (concept ids and labels of occupations, occupation groups and
fields, municipalities, regions, skills and the small enumerations) are hardcoded, taken
from the JobTech taxonomy so that filters and concept matching work like on real ads.
Employers are invented (public employers may carry a real region/municipality name),
contact people are invented, phone numbers are in the range reserved for fiction
(070-1740605 to 070-1740699), e-mail and web addresses use example.com/example.org, and
organisation numbers carry a deliberately wrong Luhn check digit so none can be real.

Why deterministic: the output is committed; a fixed seed, no set iteration, sorted output
and a gzip header without timestamp make every run byte-identical, so a test can
regenerate the file and compare.

Dates are written relative to the fixed ``REFERENCE_DATE`` (stored in ``demo_meta.json``);
``jobsai.sources.demo`` shifts them at load time so the newest ad is published today and
no ad is ever expired.

Usage::

    python scripts/make_demo_ads.py [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import io
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")

REFERENCE_DATE = date(2025, 10, 1)
"""The newest ad is published on this (Swedish local) date; the rest up to 20 days earlier."""
SEED = 20251001
FIRST_ID = 90_000_001
"""Demo ids are numeric strings from here on: far above real Platsbanken ids (≈30 million)."""
FORMAT_VERSION = 1
MAX_PAST_DAYS = 20
MIN_REMAINING_DAYS = 3
"""Every ad stays published at least this many days after the reference date."""

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT_DIR = ROOT / "src" / "jobsai" / "sources" / "demo_data"
ADS_FILE = "demo_ads.jsonl.gz"
META_FILE = "demo_meta.json"

# ---------------------------------------------------------------------------------------
# JobTech taxonomy facts (public concept ids). Occupation → group from the SSYK hierarchy
# with occupations, group → field from the occupation-field listing, legacy ids from the
# taxonomy dump. Labels are the current preferred labels.
# ---------------------------------------------------------------------------------------

OCCUPATIONS: dict[str, tuple[str, str | None, str]] = {
    # occupation-name concept id: (label, legacy id, occupation-group concept id)
    "bXNH_MNX_dUR": ("Sjuksköterska, grundutbildad", "7296", "Z8ci_bBE_tmx"),
    "bSEB_VKd_Ub3": ("Undersköterska, hemtjänst, äldreboende och habilitering", None, "jY19_knH_MJp"),
    "PQkQ_Dmk_ZF8": ("Undersköterska, vård- och specialavdelning och mottagning", "7587", "LP4Z_ABV_gRm"),
    "aCoU_U6i_fza": ("Specialistläkare, allmänmedicin", None, "nu7c_QuB_KVQ"),
    "ES2Z_D87_uLq": ("Fysioterapeut", None, "s7vU_FhY_L5Z"),
    "TPRY_Wze_q6x": ("Tandhygienist", "5723", "4F9o_Jzv_Pwz"),
    "xBo9_V9m_bfg": ("Psykolog", "5709", "VYeq_GDF_a2g"),
    "heGV_uHh_o8W": ("Arbetsterapeut", "5728", "TPH4_2AM_isT"),
    "DEDi_wap_ntF": ("Barnmorska", "5701", "7XXd_4St_nit"),
    "rQds_YGd_quU": ("Mjukvaruutvecklare", "80", "DJh5_yyF_hEM"),
    "7wdX_4rv_33z": ("Backend-utvecklare", "7632", "DJh5_yyF_hEM"),
    "GDHs_eoz_uKx": ("Frontend-utvecklare", "7633", "DJh5_yyF_hEM"),
    "FHwx_yXu_FAd": ("IT-säkerhetsanalytiker", "2719", "BAeH_eg8_T2d"),
    "nTwt_VnS_Z2x": ("Supporttekniker IT", None, "hmaC_cfi_UKg"),
    "Lxas_8K9_W1o": ("Systemadministratör", "2918", "MYAz_x9m_2LJ"),
    "ziUj_67V_Yk4": ("Data scientist", None, "UXKZ_3zZ_ipB"),
    "843H_Mp1_EVL": ("Mjukvarutestare", None, "D9SL_mtn_vGM"),
    "rUcW_z9R_Qsv": ("Förskollärare", "5714", "5ek3_Cgq_WeZ"),
    "VZoJ_4oe_xyR": ("Lärare i grundskolan, årskurs 1-6", None, "oQUQ_D11_HPx"),
    "wypk_7S7_snv": ("Ämneslärare, 7-9", None, "oQUQ_D11_HPx"),
    "rM7G_ge7_XhP": ("Barnskötare", "5716", "Hi9c_iTe_gHH"),
    "Sbzf_iBA_MAS": ("Elevassistent", "5718", "XW9L_tA9_WaX"),
    "86sy_hBf_exW": ("Ämneslärare, gymnasieskolan", None, "4KhP_FxL_uZ5"),
    "jsUx_ngg_Kz2": ("Innesäljare", "2603", "oXSW_fbY_XrY"),
    "ek9W_CmD_y2M": ("Butikssäljare, fackhandel", "5357", "YKL2_FCB_1yr"),
    "pBhS_6fg_727": ("Butikssäljare, dagligvaror/Medarbetare, dagligvaror", "2284", "s1Qk_o98_2o1"),
    "KVVN_sqH_Wpz": ("Inköpare", "5915", "85cq_6uK_4cK"),
    "WCma_2oa_gyZ": ("Marknadsförare", "5547", "WX67_Pfb_WMN"),
    "BK8D_hZe_dtk": ("Ekonomiassistent", "6024", "ij8k_EwC_zyB"),
    "8N18_sGB_X4M": ("Redovisningsekonom", "5989", "q81z_3oD_1qu"),
    "GrZU_ofe_QAx": ("Controller", "6318", "Uw4n_UB2_RCW"),
    "ojEj_nt6_PCa": ("Löneadministratör/Lönekonsult", None, "L7eh_ihX_vM5"),
    "8Uhp_XYo_z5f": ("Kundtjänstmedarbetare", "2291", "pwRH_MT1_8nR"),
    "EAao_VsW_pQb": ("Medicinsk sekreterare", None, "2kLc_pto_DpV"),
    "s28Q_sya_S2b": ("HR-specialist/HR-advisor", "6873", "bjqk_F3A_5Hk"),
    "EsXb_35r_rTR": ("Bolagsjurist", "6181", "DZVN_v5g_Fco"),
    "4Z7F_oBG_vMG": ("Träarbetare/Snickare", "6581", "9mJN_VwW_Xjg"),
    "rv19_K1B_Fuo": ("Målare", "2079", "QKvX_v7r_PNL"),
    "ZZTi_v6g_4cZ": ("VVS-montör", "5817", "fLKb_bJ3_69p"),
    "EGix_gMZ_3r9": ("Grävmaskinförare", "507", "3ZtN_hhA_SM7"),
    "pTTz_5DC_itW": ("Projektledare, bygg och anläggning", "7649", "thZP_oR7_WrY"),
    "JEhg_Dmh_mzv": ("Distributionsförare", "534", "3MBw_pDA_P2F"),
    "DLEi_bTh_oLA": ("Lagerarbetare/Terminalarbetare", None, "kLyY_rwr_aJr"),
    "GQSf_fnq_kjF": ("Truckförare", "5687", "MrcX_RDn_N53"),
    "6zL8_YYP_1eR": ("Bussförare", None, "FiDm_2S8_gx7"),
    "JbJw_as4_S93": ("Kock à la carte", "7663", "BStc_SJh_DKG"),
    "Vg3d_Azf_p5Y": ("Kock storhushåll", "7664", "BStc_SJh_DKG"),
    "rGGf_KLs_To7": ("Servitör/Servitris", "5487", "UjoW_meY_Zwt"),
    "3kFW_XLk_v9H": ("Hotellreceptionist", "5596", "bYde_Frc_xcB"),
    "9haD_NB6_ULH": ("CNC-operatör", None, "vaEp_iBS_c5h"),
    "rxrQ_Nyy_k6y": ("Svetsare", None, "wQ1E_Bzk_ZyA"),
    "rAjz_1xP_f1a": ("Montör metallprodukter", "297", "Kxm9_N3V_shF"),
    "eU1q_zvL_9Rf": ("Personlig assistent", "5798", "sq3e_WVv_Fjd"),
    "FwM7_WYB_qgc": ("Socialsekreterare", "5757", "pok1_ipJ_yzD"),
    "MMTE_fiP_1Ng": ("Behandlingsassistent/Socialpedagog", "5711", "BWwk_fYX_S5B"),
    "LxhG_of8_eMi": ("Stödassistent", "7669", "7pz9_eY9_D2s"),
    "84Uc_bhA_s47": ("Installationselektriker", "6309", "yyF7_jsW_EeP"),
    "ci6b_Nc2_FmS": ("Underhållsmekaniker", "871", "KttZ_Skc_bMR"),
    "gD5N_mCM_ea5": ("Fastighetsskötare", None, "df9D_e6y_61z"),
    "hVUG_5nN_gBh": ("Skogsmaskinförare", "5558", "KwVo_sQu_G2e"),
    "vxKf_9ig_cob": ("Djurskötare lantbruk", None, "KYmy_iqC_xiQ"),
    "4Y6u_JPp_jas": ("Park- och trädgårdsarbetare", None, "XBh3_Xrm_C4R"),
    "5x47_XP7_zyN": ("Journalist", None, "SgNH_hag_n9D"),
    "VpYo_k5f_N9R": ("Grafisk formgivare", "4039", "8Bmh_vtM_zts"),
    "GujS_MtW_PRH": ("Bibliotekarie", "5899", "wVfo_Njx_1rB"),
    "mobn_aTk_jS6": ("Väktare", "5906", "iqZh_3yX_i8n"),
    "sgib_x6a_wnW": ("Brandman", "5904", "ug5y_o6z_U3L"),
    "KF64_AvU_S4N": ("Städare", None, "Z6TY_xDf_Yup"),
    "snWH_Lp8_JfA": ("Återvinningsarbetare på ÅVC", None, "X7HR_rZK_4wj"),
    "9rvw_tBz_kFG": ("Enhetschef, hemtjänst", None, "coyZ_Cyv_Srw"),
    "hr5f_dci_NcD": ("Rektor", "3422", "z8di_AqX_GBr"),
    "bjDH_v5M_2gn": ("Produktionschef, tillverkning", "5538", "pf1K_PTz_frm"),
    "y2J4_Kxs_TVQ": ("Maskinkonstruktör", "7326", "K8yg_U4C_gkY"),
    "EGeL_Yk2_ZWE": ("Elkonstruktör", "4223", "nDaB_vdy_eAy"),
    "Pj8T_bST_f7D": ("Biomedicinsk analytiker/BMA", "5734", "wNrt_Ysj_WuT"),
    "HtLv_4EJ_o5r": ("Kemist", "5764", "eofS_oZs_RZi"),
    "UDVa_DtE_Fpb": ("Soldat/Sjöman", "7525", "jXUQ_rUV_iBv"),
    "tuoE_9Nj_fAS": ("Frisör", "5491", "LyBp_bY6_bZK"),
    "XugJ_6hw_wVV": ("Bagare/Konditor", "5504", "5qT8_z9d_8rw"),
}
GROUPS: dict[str, tuple[str, str, str]] = {
    # occupation-group (SSYK 2012 level 4) concept id: (label, SSYK code = legacy id, occupation-field id)
    "Z8ci_bBE_tmx": ("Grundutbildade sjuksköterskor", "2221", "NYW6_mP6_vwf"),
    "jY19_knH_MJp": (
        "Undersköterskor, hemtjänst, hemsjukvård, äldreboende och habilitering",
        "5321",
        "NYW6_mP6_vwf",
    ),
    "LP4Z_ABV_gRm": ("Undersköterskor, vård- och specialavdelning och mottagning", "5323", "NYW6_mP6_vwf"),
    "nu7c_QuB_KVQ": ("Specialistläkare", "2211", "NYW6_mP6_vwf"),
    "s7vU_FhY_L5Z": ("Fysioterapeuter och sjukgymnaster", "2272", "NYW6_mP6_vwf"),
    "4F9o_Jzv_Pwz": ("Tandhygienister", "3250", "NYW6_mP6_vwf"),
    "VYeq_GDF_a2g": ("Psykologer", "2241", "NYW6_mP6_vwf"),
    "TPH4_2AM_isT": ("Arbetsterapeuter", "2273", "NYW6_mP6_vwf"),
    "7XXd_4St_nit": ("Barnmorskor", "2222", "NYW6_mP6_vwf"),
    "DJh5_yyF_hEM": ("Mjukvaru- och systemutvecklare m.fl.", "2512", "apaJ_2ja_LuF"),
    "BAeH_eg8_T2d": ("IT-säkerhetsspecialister", "2516", "apaJ_2ja_LuF"),
    "hmaC_cfi_UKg": ("Supporttekniker, IT", "3512", "apaJ_2ja_LuF"),
    "MYAz_x9m_2LJ": ("Systemadministratörer", "3513", "apaJ_2ja_LuF"),
    "UXKZ_3zZ_ipB": ("Systemanalytiker och IT-arkitekter m.fl.", "2511", "apaJ_2ja_LuF"),
    "D9SL_mtn_vGM": ("Systemtestare och testledare", "2514", "apaJ_2ja_LuF"),
    "5ek3_Cgq_WeZ": ("Förskollärare", "2343", "MVqp_eS8_kDZ"),
    "oQUQ_D11_HPx": ("Grundskollärare", "2341", "MVqp_eS8_kDZ"),
    "Hi9c_iTe_gHH": ("Barnskötare", "5311", "MVqp_eS8_kDZ"),
    "XW9L_tA9_WaX": ("Elevassistenter m.fl.", "5312", "MVqp_eS8_kDZ"),
    "4KhP_FxL_uZ5": ("Gymnasielärare", "2330", "MVqp_eS8_kDZ"),
    "oXSW_fbY_XrY": ("Företagssäljare", "3322", "RPTn_bxG_ExZ"),
    "YKL2_FCB_1yr": ("Butikssäljare, fackhandel", "5223", "RPTn_bxG_ExZ"),
    "s1Qk_o98_2o1": ("Butikssäljare, dagligvaror", "5222", "RPTn_bxG_ExZ"),
    "85cq_6uK_4cK": ("Inköpare och upphandlare", "3323", "RPTn_bxG_ExZ"),
    "WX67_Pfb_WMN": ("Marknadsanalytiker och marknadsförare m.fl.", "2431", "RPTn_bxG_ExZ"),
    "ij8k_EwC_zyB": ("Ekonomiassistenter m.fl.", "4111", "X82t_awd_Qyc"),
    "q81z_3oD_1qu": ("Redovisningsekonomer", "3313", "X82t_awd_Qyc"),
    "Uw4n_UB2_RCW": ("Controller", "2412", "X82t_awd_Qyc"),
    "L7eh_ihX_vM5": ("Löne- och personaladministratörer", "4112", "X82t_awd_Qyc"),
    "pwRH_MT1_8nR": ("Kundtjänstpersonal", "4222", "X82t_awd_Qyc"),
    "2kLc_pto_DpV": ("Medicinska sekreterare, vårdadministratörer m.fl.", "4117", "X82t_awd_Qyc"),
    "bjqk_F3A_5Hk": ("Personal- och HR-specialister", "2423", "X82t_awd_Qyc"),
    "DZVN_v5g_Fco": ("Affärs- och företagsjurister", "2614", "X82t_awd_Qyc"),
    "9mJN_VwW_Xjg": ("Träarbetare, snickare m.fl.", "7111", "j7Cq_ZJe_GkT"),
    "QKvX_v7r_PNL": ("Målare", "7131", "j7Cq_ZJe_GkT"),
    "fLKb_bJ3_69p": ("VVS-montörer m.fl.", "7125", "j7Cq_ZJe_GkT"),
    "3ZtN_hhA_SM7": ("Anläggningsmaskinförare m.fl.", "8342", "j7Cq_ZJe_GkT"),
    "thZP_oR7_WrY": ("Ingenjörer och tekniker inom bygg och anläggning", "3112", "j7Cq_ZJe_GkT"),
    "3MBw_pDA_P2F": ("Lastbilsförare m.fl.", "8332", "ASGV_zcE_bWf"),
    "kLyY_rwr_aJr": ("Lager- och terminalpersonal", "4322", "ASGV_zcE_bWf"),
    "MrcX_RDn_N53": ("Truckförare", "8344", "ASGV_zcE_bWf"),
    "FiDm_2S8_gx7": ("Buss- och spårvagnsförare", "8331", "ASGV_zcE_bWf"),
    "BStc_SJh_DKG": ("Kockar och kallskänkor", "5120", "ScKy_FHB_7wT"),
    "UjoW_meY_Zwt": ("Hovmästare och servitörer", "5131", "ScKy_FHB_7wT"),
    "bYde_Frc_xcB": ("Hotellreceptionister m.fl.", "4224", "ScKy_FHB_7wT"),
    "vaEp_iBS_c5h": ("Maskinställare och maskinoperatörer, metallarbete", "7223", "wTEr_CBC_bqh"),
    "wQ1E_Bzk_ZyA": ("Svetsare och gasskärare", "7212", "wTEr_CBC_bqh"),
    "Kxm9_N3V_shF": ("Montörer, metall-, gummi- och plastprodukter", "8213", "wTEr_CBC_bqh"),
    "sq3e_WVv_Fjd": ("Personliga assistenter", "5343", "GazW_2TU_kJw"),
    "pok1_ipJ_yzD": ("Socialsekreterare", "2661", "GazW_2TU_kJw"),
    "BWwk_fYX_S5B": ("Behandlingsassistenter och socialpedagoger m.fl.", "3411", "GazW_2TU_kJw"),
    "7pz9_eY9_D2s": ("Vårdare, boendestödjare", "5342", "GazW_2TU_kJw"),
    "yyF7_jsW_EeP": ("Installations- och serviceelektriker", "7411", "yhCP_AqT_tns"),
    "KttZ_Skc_bMR": ("Underhållsmekaniker och maskinreparatörer", "7233", "yhCP_AqT_tns"),
    "df9D_e6y_61z": ("Fastighetsskötare", "5152", "yhCP_AqT_tns"),
    "KwVo_sQu_G2e": ("Förare av jordbruks- och skogsmaskiner", "8341", "VuuL_7CH_adj"),
    "KYmy_iqC_xiQ": ("Uppfödare och skötare av lantbrukets husdjur", "6121", "VuuL_7CH_adj"),
    "XBh3_Xrm_C4R": ("Trädgårdsanläggare m.fl.", "6113", "VuuL_7CH_adj"),
    "SgNH_hag_n9D": ("Journalister m.fl.", "2642", "9puE_nYg_crq"),
    "8Bmh_vtM_zts": ("Grafiska formgivare m.fl.", "2172", "9puE_nYg_crq"),
    "wVfo_Njx_1rB": ("Bibliotekarier och arkivarier", "2622", "9puE_nYg_crq"),
    "iqZh_3yX_i8n": ("Väktare och ordningsvakter", "5413", "E7hm_BLq_fqZ"),
    "ug5y_o6z_U3L": ("Brandmän", "5411", "E7hm_BLq_fqZ"),
    "Z6TY_xDf_Yup": ("Städare", "9111", "whao_Q6A_ScE"),
    "X7HR_rZK_4wj": ("Renhållnings- och återvinningsarbetare", "9610", "whao_Q6A_ScE"),
    "coyZ_Cyv_Srw": ("Chefer inom äldreomsorg", "1530", "bh3H_Y3h_5eD"),
    "z8di_AqX_GBr": ("Chefer inom grund- och gymnasieskola samt vuxenutbildning", "1410", "bh3H_Y3h_5eD"),
    "pf1K_PTz_frm": ("Produktionschefer inom tillverkning", "1370", "bh3H_Y3h_5eD"),
    "K8yg_U4C_gkY": ("Ingenjörer och tekniker inom maskinteknik", "3114", "6Hq3_tKo_V57"),
    "nDaB_vdy_eAy": ("Ingenjörer och tekniker inom elektroteknik", "3113", "6Hq3_tKo_V57"),
    "wNrt_Ysj_WuT": ("Biomedicinska analytiker m.fl.", "3212", "kJeN_wmw_9wX"),
    "eofS_oZs_RZi": ("Kemister", "2113", "kJeN_wmw_9wX"),
    "jXUQ_rUV_iBv": ("Soldater m.fl.", "0310", "bH5L_uXD_ZAX"),
    "LyBp_bY6_bZK": ("Frisörer", "5141", "Uuf1_GMh_Uvw"),
    "5qT8_z9d_8rw": ("Bagare och konditorer", "7612", "PaxQ_o1G_wWH"),
}
FIELDS: dict[str, tuple[str, str]] = {
    "NYW6_mP6_vwf": ("Hälso- och sjukvård", "8"),
    "apaJ_2ja_LuF": ("Data/IT", "3"),
    "MVqp_eS8_kDZ": ("Pedagogik", "15"),
    "RPTn_bxG_ExZ": ("Försäljning, inköp, marknadsföring", "5"),
    "X82t_awd_Qyc": ("Administration, ekonomi, juridik", "1"),
    "j7Cq_ZJe_GkT": ("Bygg och anläggning", "2"),
    "ASGV_zcE_bWf": ("Transport, distribution, lager", "19"),
    "ScKy_FHB_7wT": ("Hotell, restaurang, storhushåll", "7"),
    "wTEr_CBC_bqh": ("Industriell tillverkning", "9"),
    "GazW_2TU_kJw": ("Yrken med social inriktning", "16"),
    "yhCP_AqT_tns": ("Installation, drift, underhåll", "10"),
    "VuuL_7CH_adj": ("Naturbruk", "13"),
    "9puE_nYg_crq": ("Kultur, media, design", "11"),
    "E7hm_BLq_fqZ": ("Säkerhet och bevakning", "17"),
    "whao_Q6A_ScE": ("Sanering och renhållning", "12"),
    "bh3H_Y3h_5eD": ("Chefer och verksamhetsledare", "20"),
    "6Hq3_tKo_V57": ("Yrken med teknisk inriktning", "18"),
    "kJeN_wmw_9wX": ("Naturvetenskap", "14"),
    "bH5L_uXD_ZAX": ("Militära yrken", "22"),
    "Uuf1_GMh_Uvw": ("Kropps- och skönhetsvård", "4"),
    "PaxQ_o1G_wWH": ("Hantverk", "6"),
}

REGIONS: dict[str, tuple[str, str, str]] = {
    # region concept id: (län name, region code, the region's own name as an employer)
    "CifL_Rzy_Mku": ("Stockholms län", "01", "Region Stockholm"),
    "zBon_eET_fFU": ("Uppsala län", "03", "Region Uppsala"),
    "s93u_BEb_sx2": ("Södermanlands län", "04", "Region Sörmland"),
    "oLT3_Q9p_3nn": ("Östergötlands län", "05", "Region Östergötland"),
    "MtbE_xWT_eMi": ("Jönköpings län", "06", "Region Jönköpings län"),
    "tF3y_MF9_h5G": ("Kronobergs län", "07", "Region Kronoberg"),
    "9QUH_2bb_6Np": ("Kalmar län", "08", "Region Kalmar län"),
    "K8iD_VQv_2BA": ("Gotlands län", "09", "Region Gotland"),
    "DQZd_uYs_oKb": ("Blekinge län", "10", "Region Blekinge"),
    "CaRE_1nn_cSU": ("Skåne län", "12", "Region Skåne"),
    "wjee_qH2_yb6": ("Hallands län", "13", "Region Halland"),
    "zdoY_6u5_Krt": ("Västra Götalands län", "14", "Västra Götalandsregionen"),
    "EVVp_h6U_GSZ": ("Värmlands län", "17", "Region Värmland"),
    "xTCk_nT5_Zjm": ("Örebro län", "18", "Region Örebro län"),
    "G6DV_fKE_Viz": ("Västmanlands län", "19", "Region Västmanland"),
    "oDpK_oZ2_WYt": ("Dalarnas län", "20", "Region Dalarna"),
    "zupA_8Nt_xcD": ("Gävleborgs län", "21", "Region Gävleborg"),
    "NvUF_SP1_1zo": ("Västernorrlands län", "22", "Region Västernorrland"),
    "65Ms_7r1_RTG": ("Jämtlands län", "23", "Region Jämtland Härjedalen"),
    "g5Tt_CAV_zBd": ("Västerbottens län", "24", "Region Västerbotten"),
    "9hXe_F4g_eTG": ("Norrbottens län", "25", "Region Norrbotten"),
}

COUNTRY_SWEDEN = ("Sverige", "199", "i46j_HmG_v64")


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality with its taxonomy ids, an approximate town centre and a size weight."""

    name: str
    code: str
    concept_id: str
    region_id: str
    lon: float
    lat: float
    weight: float
    employer: str
    """How the municipality names itself as an employer ("Umeå kommun", "Göteborgs Stad")."""
    town: str = ""
    """The main town, when it differs from the municipality's name (Gotland → Visby)."""

    @property
    def city(self) -> str:
        return self.town or self.name


def _m(
    name: str,
    code: str,
    cid: str,
    region: str,
    lon: float,
    lat: float,
    weight: float,
    employer: str,
    town: str = "",
) -> Municipality:
    return Municipality(name, code, cid, region, lon, lat, weight, employer, town)


MUNICIPALITIES: tuple[Municipality, ...] = (
    _m("Stockholm", "0180", "AvNB_uwa_6n6", "CifL_Rzy_Mku", 18.0686, 59.3293, 10, "Stockholms stad"),
    _m("Göteborg", "1480", "PVZL_BQT_XtL", "zdoY_6u5_Krt", 11.9746, 57.7089, 7, "Göteborgs Stad"),
    _m("Malmö", "1280", "oYPt_yRA_Smm", "CaRE_1nn_cSU", 13.0038, 55.6050, 6, "Malmö stad"),
    _m("Uppsala", "0380", "otaF_bQY_4ZD", "zBon_eET_fFU", 17.6389, 59.8586, 4, "Uppsala kommun"),
    _m("Umeå", "2480", "QiGt_BLu_amP", "g5Tt_CAV_zBd", 20.2630, 63.8258, 3.5, "Umeå kommun"),
    _m("Luleå", "2580", "CXbY_gui_14v", "9hXe_F4g_eTG", 22.1567, 65.5848, 3, "Luleå kommun"),
    _m("Kiruna", "2584", "biN6_UiL_Qob", "9hXe_F4g_eTG", 20.2253, 67.8558, 1.5, "Kiruna kommun"),
    _m("Östersund", "2380", "Vt7P_856_WZS", "65Ms_7r1_RTG", 14.6357, 63.1792, 2, "Östersunds kommun"),
    _m("Gotland", "0980", "Ft9P_E8F_VLJ", "K8iD_VQv_2BA", 18.2948, 57.6348, 1.5, "Region Gotland", "Visby"),
    _m("Växjö", "0780", "mmot_H3A_auW", "tF3y_MF9_h5G", 14.8059, 56.8777, 2, "Växjö kommun"),
    _m("Karlstad", "1780", "hRDj_PoV_sFU", "EVVp_h6U_GSZ", 13.5035, 59.3793, 2, "Karlstads kommun"),
    _m("Jönköping", "0680", "KURg_KJF_Lwc", "MtbE_xWT_eMi", 14.1618, 57.7826, 2.5, "Jönköpings kommun"),
    _m("Linköping", "0580", "bm2x_1mr_Qhx", "oLT3_Q9p_3nn", 15.6214, 58.4108, 3, "Linköpings kommun"),
    _m("Norrköping", "0581", "SYty_Yho_JAF", "oLT3_Q9p_3nn", 16.1826, 58.5877, 2.5, "Norrköpings kommun"),
    _m("Örebro", "1880", "kuMn_feU_hXx", "xTCk_nT5_Zjm", 15.2134, 59.2753, 2.5, "Örebro kommun"),
    _m("Västerås", "1980", "8deT_FRF_2SP", "G6DV_fKE_Viz", 16.5448, 59.6099, 2.5, "Västerås stad"),
    _m("Helsingborg", "1283", "qj3q_oXH_MGR", "CaRE_1nn_cSU", 12.6945, 56.0465, 2.5, "Helsingborgs stad"),
    _m("Lund", "1281", "muSY_tsR_vDZ", "CaRE_1nn_cSU", 13.1910, 55.7047, 2, "Lunds kommun"),
    _m("Gävle", "2180", "qk8Y_2b6_82D", "zupA_8Nt_xcD", 17.1413, 60.6749, 2, "Gävle kommun"),
    _m("Sundsvall", "2281", "dJbx_FWY_tK6", "NvUF_SP1_1zo", 17.3069, 62.3908, 2, "Sundsvalls kommun"),
    _m("Falun", "2080", "N1wJ_Cuu_7Cs", "oDpK_oZ2_WYt", 15.6355, 60.6065, 1.5, "Falu kommun"),
    _m("Borlänge", "2081", "cpya_jJg_pGp", "oDpK_oZ2_WYt", 15.4360, 60.4858, 1, "Borlänge kommun"),
    _m("Kalmar", "0880", "Pnmg_SgP_uHQ", "9QUH_2bb_6Np", 16.3616, 56.6634, 1.5, "Kalmar kommun"),
    _m("Karlskrona", "1080", "YSt4_bAa_ccs", "DQZd_uYs_oKb", 15.5866, 56.1612, 1.5, "Karlskrona kommun"),
    _m("Halmstad", "1380", "kUQB_KdK_kAh", "wjee_qH2_yb6", 12.8578, 56.6745, 1.5, "Halmstads kommun"),
    _m("Kristianstad", "1290", "vrvW_sr8_1en", "CaRE_1nn_cSU", 14.1567, 56.0294, 1.2, "Kristianstads kommun"),
    _m("Eskilstuna", "0484", "kMxr_NiX_YrU", "s93u_BEb_sx2", 16.5077, 59.3666, 1.5, "Eskilstuna kommun"),
    _m("Nyköping", "0480", "KzvD_ePV_DKQ", "s93u_BEb_sx2", 17.0086, 58.7530, 1, "Nyköpings kommun"),
    _m("Skellefteå", "2482", "kicB_LgH_2Dk", "g5Tt_CAV_zBd", 20.9500, 64.7507, 1.5, "Skellefteå kommun"),
    _m("Gällivare", "2523", "6R2u_zkb_uoS", "9hXe_F4g_eTG", 20.6589, 67.1339, 0.8, "Gällivare kommun"),
    _m("Örnsköldsvik", "2284", "zBmE_n6s_MnQ", "NvUF_SP1_1zo", 18.7155, 63.2909, 1, "Örnsköldsviks kommun"),
    _m("Trollhättan", "1488", "CSy8_41F_YvX", "zdoY_6u5_Krt", 12.2886, 58.2835, 1, "Trollhättans stad"),
    _m("Borås", "1490", "TpRZ_bFL_jhL", "zdoY_6u5_Krt", 12.9401, 57.7210, 1.5, "Borås Stad"),
    _m("Skövde", "1496", "fqAy_4ji_Lz2", "zdoY_6u5_Krt", 13.8457, 58.3903, 1, "Skövde kommun"),
    _m("Varberg", "1383", "AkUx_yAq_kGr", "wjee_qH2_yb6", 12.2508, 57.1056, 1, "Varbergs kommun"),
    _m("Mora", "2062", "UGcC_kYx_fTs", "oDpK_oZ2_WYt", 14.5373, 61.0070, 0.7, "Mora kommun"),
    _m("Arvika", "1784", "yGue_F32_wev", "EVVp_h6U_GSZ", 12.5870, 59.6553, 0.7, "Arvika kommun"),
    _m("Hudiksvall", "2184", "Utks_mwF_axY", "zupA_8Nt_xcD", 17.1047, 61.7290, 0.7, "Hudiksvalls kommun"),
    _m("Ystad", "1286", "hdYk_hnP_uju", "CaRE_1nn_cSU", 13.8202, 55.4295, 0.7, "Ystads kommun"),
    _m("Åre", "2321", "D7ax_CXP_6r1", "65Ms_7r1_RTG", 13.0819, 63.3990, 0.5, "Åre kommun"),
    _m("Jokkmokk", "2510", "mp6j_2b6_1bz", "9hXe_F4g_eTG", 19.8294, 66.6066, 0.4, "Jokkmokks kommun"),
    _m("Vilhelmina", "2462", "tUnW_mFo_Hvi", "g5Tt_CAV_zBd", 16.6561, 64.6244, 0.4, "Vilhelmina kommun"),
    _m("Ljungby", "0781", "GzKo_S48_QCm", "tF3y_MF9_h5G", 13.9410, 56.8330, 0.6, "Ljungby kommun"),
    _m("Vimmerby", "0884", "a7hJ_zwv_2FR", "9QUH_2bb_6Np", 15.8553, 57.6658, 0.5, "Vimmerby kommun"),
    _m("Strömstad", "1486", "PAxT_FLT_3Kq", "zdoY_6u5_Krt", 11.1759, 58.9390, 0.5, "Strömstads kommun"),
    _m("Sala", "1981", "dAen_yTK_tqz", "G6DV_fKE_Viz", 16.6060, 59.9200, 0.5, "Sala kommun"),
    _m("Härnösand", "2280", "uYRx_AdM_r4A", "NvUF_SP1_1zo", 17.9379, 62.6323, 0.6, "Härnösands kommun"),
    _m("Piteå", "2581", "umej_bP2_PpK", "9hXe_F4g_eTG", 21.4778, 65.3172, 0.8, "Piteå kommun"),
    _m("Lycksele", "2481", "7rpN_naz_3Uz", "g5Tt_CAV_zBd", 18.6730, 64.5954, 0.5, "Lycksele kommun"),
    _m("Haparanda", "2583", "tfRE_hXa_eq7", "9hXe_F4g_eTG", 24.1373, 65.8355, 0.4, "Haparanda stad"),
    _m("Sollentuna", "0163", "Z5Cq_SgB_dsB", "CifL_Rzy_Mku", 17.9509, 59.4280, 1, "Sollentuna kommun"),
    _m("Nacka", "0182", "aYA7_PpG_BqP", "CifL_Rzy_Mku", 18.1639, 59.3105, 1, "Nacka kommun"),
    _m("Södertälje", "0181", "g6hK_M1o_hiU", "CifL_Rzy_Mku", 17.6253, 59.1955, 1, "Södertälje kommun"),
    _m("Mölndal", "1481", "mc45_ki9_Bv3", "zdoY_6u5_Krt", 12.0139, 57.6554, 1, "Mölndals stad"),
    _m("Kungsbacka", "1384", "3JKV_KSK_x6z", "wjee_qH2_yb6", 12.0767, 57.4872, 0.8, "Kungsbacka kommun"),
    _m("Värnamo", "0683", "6bS8_fzf_xpW", "MtbE_xWT_eMi", 14.0466, 57.1860, 0.7, "Värnamo kommun"),
    _m("Oskarshamn", "0882", "tUP8_hRE_NcF", "9QUH_2bb_6Np", 16.4484, 57.2645, 0.6, "Oskarshamns kommun"),
    _m("Motala", "0583", "E1MC_1uG_phm", "oLT3_Q9p_3nn", 15.0365, 58.5371, 0.6, "Motala kommun"),
    _m("Karlshamn", "1082", "HtGW_WgR_dpE", "DQZd_uYs_oKb", 14.8631, 56.1706, 0.6, "Karlshamns kommun"),
    _m("Sandviken", "2181", "BbdN_xLB_k6s", "zupA_8Nt_xcD", 16.7760, 60.6190, 0.6, "Sandvikens kommun"),
    _m("Katrineholm", "0483", "snx9_qVD_Dr1", "s93u_BEb_sx2", 16.2055, 58.9956, 0.6, "Katrineholms kommun"),
    _m("Enköping", "0381", "HGwg_unG_TsG", "zBon_eET_fFU", 17.0772, 59.6356, 0.6, "Enköpings kommun"),
    _m("Ludvika", "2085", "Ny2b_2bo_7EL", "oDpK_oZ2_WYt", 15.1878, 60.1496, 0.5, "Ludvika kommun"),
    _m("Torsby", "1737", "hQdb_zn9_Sok", "EVVp_h6U_GSZ", 12.9822, 60.1363, 0.4, "Torsby kommun"),
    _m("Sorsele", "2422", "VM7L_yJK_Doo", "g5Tt_CAV_zBd", 17.5333, 65.5336, 0.3, "Sorsele kommun"),
    _m("Boden", "2582", "y4NQ_tnB_eVd", "9hXe_F4g_eTG", 21.6886, 65.8252, 0.6, "Bodens kommun"),
    _m("Arvidsjaur", "2505", "A5WX_XVo_Zt6", "9hXe_F4g_eTG", 19.1752, 65.5924, 0.3, "Arvidsjaurs kommun"),
    _m("Eksjö", "0686", "VacK_WF6_XVg", "MtbE_xWT_eMi", 14.9706, 57.6664, 0.4, "Eksjö kommun"),
    _m("Älvdalen", "2039", "cZtt_qGo_oBr", "oDpK_oZ2_WYt", 14.0396, 61.2277, 0.3, "Älvdalens kommun"),
)
MUNICIPALITY_BY_NAME: dict[str, Municipality] = {m.name: m for m in MUNICIPALITIES}


def _concept(cid: str, label: str, legacy: str | None) -> dict[str, Any]:
    return {"concept_id": cid, "label": label, "legacy_ams_taxonomy_id": legacy}


# The small enumerations, labelled as JobSearch labels them today.
EMPLOYMENT_REGULAR = _concept("PFZr_Syz_cUq", "Vanlig anställning", "1")
EMPLOYMENT_ON_CALL = _concept("1paU_aCR_nGn", "Behovsanställning", "4")
SALARY_FIXED = _concept("oG8G_9cW_nRf", "Fast månads- vecko- eller timlön", "1")
SALARY_MIXED = _concept("asrX_9Df_ukn", "Fast och rörlig lön", "7")
SALARY_COMMISSION = _concept("vVtj_qm6_GQu", "Rörlig ackords- eller provisionslön", "8")
DURATION_PERMANENT = _concept("a7uU_j21_mkL", "Tills vidare", "1")
DURATION_6M_PLUS = _concept("qQUd_4qe_NDT", "6 månader eller längre", "2")
DURATION_3_6M = _concept("Xj7x_7yZ_jEn", "3 månader – upp till 6 månader", "3")
DURATION_UP_TO_3M = _concept("Sy9J_aRd_ALx", "11 dagar - upp till 3 månader", "7")
FULL_TIME = _concept("6YE1_gAC_R2G", "Heltid", "1")
PART_TIME = _concept("947z_JGS_Uk2", "Deltid", "2")
DRIVING_LICENSES: dict[str, dict[str, Any]] = {
    "B": _concept("VTK8_WRx_GcM", "B", "3"),
    "C": _concept("BKCx_hST_Pcm", "C", "4"),
    "CE": _concept("zZu8_iZ9_wMH", "CE", "7"),
    "D": _concept("hK1a_wsQ_4UG", "D", "5"),
}
SWEDISH = _concept("zSLA_vw2_FXN", "Svenska", "502")
ENGLISH = _concept("NVxJ_hLg_TYS", "Engelska", "283")


SKILLS: dict[str, tuple[str, str]] = {
    # skill label: (concept id, legacy id), from the JobTech taxonomy
    "A-truckar": ("Zk4h_jP4_e85", "608627"),
    "AB (allmän elbehörighet)": ("c14d_Mgx_MFA", "41"),
    "ADHD, specialpedagogik": ("aKfe_KPS_gyK", "608069"),
    "ADR, styckegods (grundkurs)": ("HnQ2_FhC_xgt", "601010"),
    "Active Directory, programmeringsverktyg": ("xGPG_PpL_zWN", "607910"),
    "Affärsjuridik": ("xSbx_mnD_bdK", "600925"),
    "Allmän omvårdnadserfarenhet": ("x289_bKF_ihE", "603762"),
    "Analytisk kemi": ("VQHQ_ScF_Fr5", "162"),
    "Användarsupport, hårdvara": ("9qgQ_QyK_VVh", "605534"),
    "Användarsupport, mjukvara": ("TFQD_onf_Tid", "605533"),
    "Arbete på väg, nivå 1 och 2": ("drj3_CKp_Mpp", "607735"),
    "Arbetsrätt": ("fiLT_BSW_HCb", "261"),
    "Autismspektrumstörning, specialpedagogik": ("CU49_i2B_7Cv", "603548"),
    "Avtalsrätt": ("EU8B_Vir_DXH", "387"),
    "B-truckar": ("HeXq_amc_ABd", "608628"),
    "Bokföringsvana": ("Fiq4_siu_LXn", "773"),
    "Bokslut": ("Lq2i_vZo_BEx", "6690"),
    "Bolagsrätt": ("NYbU_buD_WVZ", "783"),
    "Bordsservering": ("5fAq_Squ_o7p", "604246"),
    "Brandväggar": ("iXzD_6DF_sL4", "605761"),
    "Budgetansvar": ("Gt5f_wdi_FSJ", "870"),
    "Butiksvana, dagligvaror": ("Q5Gj_qVb_1AY", "602582"),
    "Butiksvana, fackhandel": ("Td4F_YtH_u6S", "603403"),
    "C#.NET, programmeringsspråk": ("jBKc_5Yx_Y6T", "607902"),
    "CNC-programmering": ("JFDz_Uyg_Nmy", "607326"),
    "CSS, programmeringsspråk": ("euH8_yAp_hiG", "605334"),
    "Certifikat, heta arbeten": ("Q7eC_B7g_QiU", "1028"),
    "Dagstidningsjournalistik": ("tLz8_cPk_fY5", "603444"),
    "Demensvård": ("hqYJ_jyZ_Ks8", "604679"),
    "Digital marknadsföring/Onlinemarknadsföring": ("Lz84_K5d_CcL", "609032"),
    "Driftansvar, data": ("KZQE_Gqi_iJx", "1331"),
    "EN 287-1, 135 MAG-svetsning": ("7kqy_wX6_gEP", "200085"),
    "EN 287-1, 141 TIG-svetsning": ("5x8K_uya_8pn", "200087"),
    "ESA (Elsäkerhetsanvisningarna)": ("4bwR_JVU_usd", "1528"),
    "Elschema-AutoCAD Electrical": ("VK6J_6Hs_yuy", "608705"),
    "Entreprenadjuridik": ("nF6J_MNc_ZxS", "607530"),
    "Externredovisning": ("DxyA_A72_J4a", "601208"),
    "Familjebehandling/nätverksarbete": ("DRdR_HTS_giu", "606385"),
    "Fortnox, affärssystem": ("D7RV_iq7_KE4", "607695"),
    "Fräsning, CNC": ("wpVJ_UXf_uSb", "607399"),
    "Förarbevis, skotare": ("DwQV_Sim_FNH", "600016"),
    "Förarbevis, skördare": ("repi_cJM_Lbq", "607764"),
    "Förskollärarlegitimation": ("6Suw_3c1_47a", "608920"),
    "Försäljningsvana, telefonförsäljning": ("AwhJ_eLD_xpG", "604570"),
    "Försäljningsvana, uppsökande försäljning företag": ("dRWb_Mgx_yJf", "604592"),
    "Geriatrisk omvårdnad": ("cocQ_EPn_YiY", "2101"),
    "Google Analytics": ("oCKN_G9k_zTj", "609046"),
    "Grävmaskin": ("swHZ_UXk_UaE", "2272"),
    "HTML, programmeringsspråk": ("K8eq_sEz_eXV", "200029"),
    "Hemsjukvård": ("NbjJ_WBY_FoA", "606233"),
    "Hemtjänst": ("xowU_8Wu_K7C", "606261"),
    "Hjärt- och lungräddning": ("irju_S7Y_Xbr", "606252"),
    "Hygienstädning": ("N9ho_NPL_JBg", "604552"),
    "ITIL Foundation": ("LDRm_rQW_Q3N", "608820"),
    "Inköpsvana": ("eKuz_edm_kmi", "603304"),
    "Java, programmeringsspråk": ("jCsR_WQX_CKD", "200028"),
    "JavaScript, programmeringsspråk": ("DHhX_uVf_y6X", "602449"),
    "Kabelinstallationer": ("VQxj_dHG_UCE", "2843"),
    "Kassavana": ("hYpk_RYx_y3V", "2904"),
    "Koncernredovisning": ("FfWB_f5U_9NB", "3033"),
    "Kontorsstädning": ("beHF_mum_ANM", "604556"),
    "Kundtjänst": ("aMyW_hB7_TpU", "602039"),
    "Lean/Ständiga förbättringar": ("74Mw_JUN_VKx", "608799"),
    "Legitimation som barnmorska": ("hAZR_5Ho_Jdw", "3421"),
    "Legitimation som läkare": ("9ntP_jdL_3iG", "3424"),
    "Legitimation som psykolog": ("Azca_cCi_Y21", "3427"),
    "Legitimation som sjukgymnast": ("4sDr_kFf_cjc", "3429"),
    "Legitimation som sjuksköterska": ("dJa5_Nao_mDS", "3430"),
    "Legitimation som tandhygienist": ("9RTm_B69_6ec", "3431"),
    "Linux, operativsystem": ("z52H_f4y_4ZA", "602551"),
    "Livsmedelshygien": ("kj4Q_nLh_u8Q", "3502"),
    "Lärarlegitimation": ("yKnk_W7X_Zvk", "608921"),
    "Löneadministration": ("WCWw_wZz_8iv", "3612"),
    "Löneförhandlingar": ("HxKb_aYu_Sif", "3613"),
    "Lönesystem": ("hjUM_GZe_Bgd", "608353"),
    "MS Excel": ("5wab_aFK_gdL", "608375"),
    "Marknadsföring/marknadskommunikation": ("DXNc_cU4_j4N", "606565"),
    "Matematisk statistik": ("Tnkg_aTP_vCV", "3745"),
    "Mjukvaruutveckling": ("A5HJ_aMw_BQt", "602377"),
    "Mjölkproduktion": ("cg3X_3ZW_aCG", "600030"),
    "Momsredovisning": ("UBgX_VLG_mTK", "3946"),
    "Nyhetsjournalistik": ("poUy_FfV_mr3", "607471"),
    "Nätverk, övervakning": ("C4Ev_voX_wwz", "605782"),
    "OPERA, hotellbokningssystem": ("S3Pj_Law_3Xy", "608661"),
    "Omvårdnad": ("MR4H_FFT_mTj", "608334"),
    "PLC (programmerbart styrsystem)": ("Uytu_hWi_5nh", "4549"),
    "Palliativ vård": ("ryxY_Uwr_pkw", "606295"),
    "Personaladministration": ("29MP_yhF_mjx", "604428"),
    "Personalansvar": ("ZzN5_m7B_5CY", "4456"),
    "PostgreSQL, databashanterare": ("4chh_Dqk_bre", "607931"),
    "Projekt- och internredovisning": ("rF2g_ssp_4nK", "601209"),
    "Python, programmeringsspråk": ("qfkh_ZRK_w4W", "605952"),
    "Reskontrabokföring": ("LmLg_VXy_VSS", "3234"),
    "Ritningsläsning": ("aHCV_VsV_LiD", "4936"),
    "SAP R/3, affärssystem": ("gn9Y_yYC_LiH", "604611"),
    "SQL, programmeringsspråk": ("Xnmr_kYS_YKY", "5572"),
    "Scrum, systemutvecklingsmetod": ("Cnqu_REg_6jo", "608464"),
    "Snickerimålning och ytbehandling": ("wn7T_k1d_TBe", "605793"),
    "Specialkost": ("JYKn_PRX_tif", "603398"),
    "Specialpedagogik": ("C3Fc_BSX_rpH", "607956"),
    "Sprutmålning": ("qdJB_5Qn_i5h", "5553"),
    "Svarvning, CNC": ("d2yX_cZM_fSy", "607403"),
    "Systemtestning": ("xAbu_uKA_Jeu", "605369"),
    "Systemutveckling": ("D7Ns_RG6_hD2", "5788"),
    "Sökmotoroptimering/SEM, Sökmotormarknadsföring": ("VANx_32R_rU1", "608889"),
    "Tandhygienistexamen": ("dncA_DPY_5bh", "608243"),
    "Terminal- och lagerarbete": ("ijHY_aHk_ADE", "5947"),
    "Testautomatisering": ("muKv_rHW_7ES", "609146"),
    "Testning/verifiering, mjukvara": ("2kEw_jWL_6Zz", "606446"),
    "Tillv.industri-AutoCAD Mechanical": ("cjzD_31U_USf", "608708"),
    "Tillämpad statistik": ("U86s_CAP_Vwa", "6019"),
    "Truckvana": ("pGts_PKK_c8W", "601084"),
    "Upphandlingsbestämmelser": ("SmZd_Jaa_BeY", "6248"),
    "Utbildning i livsmedelshygien": ("tPYe_p8C_v4Z", "609068"),
    "Utbildningsbevis enligt TLP 10 för truckförare": ("CiMi_7ax_tXs", "608904"),
    "Utbildningsbevis, fallskydd": ("WLAi_BDr_5fW", "609200"),
    "Visma SPCS, redovisningssystem": ("FqLw_515_Md9", "5483"),
    "Windows Server, operativsystem": ("pnX9_gFn_CLt", "605870"),
    "Yrkesbevis, grävmaskin/grävlastare": ("8Yqr_o72_jqv", "6640"),
    "Yrkesbevis, skötsel och förvaltning av utemiljö": ("jqEe_ruX_oUG", "601542"),
    "Yrkeskompetensbevis YKB, tung lastbil": ("M2WG_2z8_tyy", "608689"),
    "Yrkeskompetensbevis, buss": ("L31X_f88_viY", "602359"),
    "Äldreomsorg": ("Yt2Z_1pY_MNz", "608864"),
}


# ---------------------------------------------------------------------------------------
# Employers. A sector says who employs people in a trade and how such an employer talks
# about itself; public sectors use the real region/municipality name, private ones use
# invented company names.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sector:
    """How one kind of employer presents itself; every field is a pool to draw from."""

    kind: str
    """"region", "kommun", "private" or "military": decides the employer's name and intro."""
    names: tuple[str, ...] = ()
    business: tuple[str, ...] = ()
    """Verb phrases completing "<Employer> …" (private employers)."""
    values: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    roles: tuple[str, ...] = ("Rekryterande chef",)
    """Titles of the contact person."""
    depts: tuple[str, ...] = ()
    """Administrations/units of a public employer (workplace names)."""
    union: str | None = None
    check: str | None = None
    """A sentence about register checks, for trades where the law requires them."""
    business_en: tuple[str, ...] = ()
    values_en: tuple[str, ...] = ()
    offers_en: tuple[str, ...] = ()
    roles_en: tuple[str, ...] = ("Hiring manager",)
    size: tuple[int, int] = (12, 400)


_UNION_KOMMUN = "Fackliga företrädare nås via kommunens kontaktcenter."
_CHECK_CARE = (
    "Inför anställning inom verksamhet för personer med funktionsnedsättning ber vi dig visa upp "
    "ett utdrag ur belastningsregistret."
)
_CHECK_SCHOOL = (
    "Enligt skollagen behöver du visa upp ett utdrag ur belastningsregistret innan du kan anställas."
)

SECTORS: dict[str, Sector] = {
    "region": Sector(
        kind="region",
        values=(
            "Vi är en kunskapsorganisation där forskning, utbildning och utveckling är en naturlig "
            "del av vardagen.",
            "Vår verksamhet präglas av delaktighet, trygghet och ett nära samarbete mellan yrkesgrupperna.",
            "Tillsammans arbetar vi för en god och jämlik vård för alla som bor i och besöker länet.",
            "Hos oss får du ett meningsfullt arbete där du gör skillnad för människor varje dag.",
        ),
        offers=(
            "friskvårdsbidrag och subventionerade träningsmöjligheter",
            "möjlighet till löneväxling till pension och förmånscykel",
            "en strukturerad introduktion anpassad efter dina behov",
            "goda möjligheter till kompetensutveckling och specialistutbildning",
            "kollektivavtal, tjänstepension och generösa semesterregler",
            "fri sjukvård, tandvård till reducerad kostnad och personalrabatter",
        ),
        roles=("Enhetschef", "Vårdenhetschef", "Verksamhetschef", "Biträdande enhetschef"),
        union="Fackliga företrädare nås via regionens växel.",
        size=(4000, 45000),
    ),
    "kommun_care": Sector(
        kind="kommun",
        depts=(
            "Vård- och omsorgsförvaltningen",
            "Socialförvaltningen",
            "Omsorgsförvaltningen",
            "Äldreomsorgen",
            "Funktionsstödsförvaltningen",
        ),
        values=(
            "Vi sätter den enskilda människan i centrum och arbetar aktivt med kvalitet och trygghet.",
            "Vi vill att alla ska kunna leva ett tryggt och självständigt liv, oavsett ålder och behov.",
            "Här arbetar du nära dina kollegor och har stort inflytande över hur arbetet läggs upp.",
        ),
        offers=(
            "friskvårdsbidrag",
            "kollektivavtal med tjänstepension",
            "introduktion tillsammans med erfarna kollegor",
            "goda möjligheter till kompetensutveckling",
        ),
        roles=("Enhetschef", "Biträdande enhetschef", "Verksamhetschef", "Områdeschef"),
        union=_UNION_KOMMUN,
        size=(900, 40000),
    ),
    "kommun_school": Sector(
        kind="kommun",
        depts=(
            "Utbildningsförvaltningen",
            "Barn- och utbildningsförvaltningen",
            "Förskoleförvaltningen",
            "Skolförvaltningen",
        ),
        values=(
            "Alla barn och elever ska få de bästa förutsättningarna att lära, utvecklas och må bra.",
            "Vi arbetar språkutvecklande och har en nära dialog med vårdnadshavare.",
            "Vi har ett väl utvecklat kollegialt lärande och tid avsatt för gemensam planering.",
        ),
        offers=(
            "tid för planering och kollegialt lärande",
            "friskvårdsbidrag och kollektivavtal",
            "möjlighet till vidareutbildning inom till exempel specialpedagogik",
            "en arbetsplats med nära stöd från skolledning och elevhälsa",
        ),
        roles=("Rektor", "Biträdande rektor", "Förskolerektor"),
        union="Fackliga företrädare för Sveriges Lärare och Kommunal nås via kommunens växel.",
        check=_CHECK_SCHOOL,
        size=(900, 40000),
    ),
    "kommun_tech": Sector(
        kind="kommun",
        depts=(
            "Samhällsbyggnadsförvaltningen",
            "Tekniska förvaltningen",
            "Fastighetsavdelningen",
            "Kultur- och fritidsförvaltningen",
        ),
        values=(
            "Vi ansvarar för verksamheter som invånarna använder varje dag och är stolta över att "
            "göra kommunen till en bra plats att leva i.",
            "Hos oss får du ett varierat arbete med stort eget ansvar och goda kollegor.",
            "Vi arbetar långsiktigt med hållbarhet och service till kommunens invånare.",
        ),
        offers=(
            "kollektivavtal och tjänstepension",
            "friskvårdsbidrag och möjlighet till friskvård på arbetstid",
            "flexibel arbetstid där verksamheten tillåter",
            "goda möjligheter till kompetensutveckling",
        ),
        roles=("Enhetschef", "Arbetsledare", "Avdelningschef", "Driftchef"),
        union=_UNION_KOMMUN,
        size=(900, 40000),
    ),
    "care_private": Sector(
        kind="private",
        names=(
            "Vårdkompaniet Norrsken AB",
            "Lindgårdens Omsorg AB",
            "Friskvik Hälsa AB",
            "Ekbladets Vård & Omsorg AB",
            "Solgläntans Vårdhem AB",
        ),
        business=(
            "driver vård- och omsorgsverksamhet på flera orter i landet",
            "bedriver primärvård och hemsjukvård på uppdrag av regionen",
            "driver vårdboenden och korttidsboenden med inriktning mot demens och palliativ vård",
        ),
        values=(
            "Vi tror på korta beslutsvägar och på att kvalitet skapas av engagerade medarbetare.",
            "Patienten står alltid i centrum och vi har tid för varandra.",
            "Vi är stolta över våra höga betyg i den nationella patientenkäten.",
        ),
        offers=(
            "friskvårdsbidrag",
            "kollektivavtal och tjänstepension",
            "betald vidareutbildning",
            "en personlig och familjär arbetsplats",
        ),
        roles=("Verksamhetschef", "Enhetschef", "Medicinskt ansvarig sjuksköterska"),
        size=(40, 1500),
    ),
    "dental": Sector(
        kind="private",
        names=("Tandvårdshuset Solrosen AB", "Tandkliniken Kvarnbäcken AB", "Tandhälsan Ekudden AB"),
        business=(
            "driver tandvårdskliniker med fokus på förebyggande tandvård",
            "är en privat tandvårdskedja med kliniker i flera städer",
        ),
        values=(
            "Vi arbetar i team kring patienten och har modern utrustning.",
            "Förebyggande arbete och god patientkommunikation är grunden i allt vi gör.",
        ),
        offers=("friskvårdsbidrag", "fri tandvård för dig som anställd", "betald fortbildning"),
        roles=("Klinikchef", "Verksamhetschef"),
        size=(8, 300),
    ),
    "rehab": Sector(
        kind="private",
        names=("Rörelsecentrum Tallbo AB", "Fysiokliniken Strandvik AB", "Rehabteamet Granbacken AB"),
        business=(
            "driver fysioterapi- och rehabiliteringsmottagningar",
            "erbjuder rehabilitering, träning och företagshälsovård",
            "har vårdavtal med regionen och tar emot patienter från hela närområdet",
        ),
        values=(
            "Vi har ett starkt kollegialt stöd och regelbunden handledning.",
            "Vi arbetar evidensbaserat och följer upp våra behandlingsresultat.",
        ),
        offers=("friskvårdstimme och träningskort", "handledning och fortbildning", "flexibla arbetstider"),
        roles=("Verksamhetschef", "Klinikchef"),
        size=(8, 250),
    ),
    "psych": Sector(
        kind="private",
        names=("Psykologpraktiken Kompassen AB", "Samtalsmottagningen Ljusglimt AB"),
        business=(
            "erbjuder psykologisk behandling och utredning på uppdrag av regionen",
            "driver psykologmottagningar för barn, unga och vuxna",
        ),
        values=(
            "Vi har ett starkt kollegialt stöd och regelbunden handledning.",
            "Vi arbetar evidensbaserat och följer upp våra behandlingsresultat.",
        ),
        offers=("extern handledning", "fortbildning varje år", "flexibla arbetstider"),
        roles=("Verksamhetschef", "Mottagningschef"),
        size=(6, 120),
    ),
    "assistans": Sector(
        kind="private",
        names=(
            "Assistansgruppen Vardagsnära AB",
            "Stödkraft Assistans AB",
            "Omtankens Assistans AB",
            "Vintergatans Assistans AB",
        ),
        business=(
            "anordnar personlig assistans för barn och vuxna i hela landet",
            "är ett assistansbolag som drivs med kunden i centrum",
        ),
        values=(
            "Vi matchar assistent och kund med omsorg, eftersom relationen är det viktigaste.",
            "Hos oss har kunden stort inflytande över vem som anställs.",
        ),
        offers=(
            "kollektivavtal",
            "introduktion hos kunden",
            "friskvårdsbidrag",
            "utbildning i bland annat lyft och förflyttning",
        ),
        roles=("Verksamhetsledare", "Arbetsledare", "Samordnare"),
        check=_CHECK_CARE,
        size=(30, 2000),
    ),
    "it": Sector(
        kind="private",
        names=(
            "Bitvik Systems AB",
            "Molnkraft Digital AB",
            "Kodlaget i Norr AB",
            "Fjällbit Software AB",
            "Datavind Consulting AB",
            "Nordljus Analytics AB",
            "Trådlös Logik AB",
            "Sigillverket IT AB",
        ),
        business=(
            "utvecklar digitala tjänster för kunder inom bank, energi och offentlig sektor",
            "bygger plattformar för logistik och e-handel som används av tusentals användare varje dag",
            "är ett konsultbolag som hjälper kunder med allt från arkitektur och molnlösningar till "
            "drift och säkerhet",
            "utvecklar mjukvara för uppkopplade produkter inom fordon och industri",
        ),
        values=(
            "Vi arbetar i små, självgående team där alla har inflytande över både teknik och arbetssätt.",
            "Vi tror på kontinuerlig leverans, kodgranskning och en kultur där det är okej att fråga.",
            "Hos oss får du tid för kompetensutveckling och möjlighet att gå på konferenser.",
        ),
        offers=(
            "hybridarbete med möjlighet att arbeta hemifrån delar av veckan",
            "friskvårdsbidrag på 5 000 kronor per år",
            "kollektivavtal, tjänstepension och sjukvårdsförsäkring",
            "egen budget för utbildning och konferenser",
            "en modern arbetsplats med stort tekniskt inflytande",
        ),
        roles=("Teamchef", "Utvecklingschef", "CTO", "Rekryterande chef"),
        business_en=(
            "builds digital services for customers in banking, energy and the public sector",
            "develops platforms for logistics and e-commerce used by thousands of people every day",
            "is a consultancy helping clients with everything from architecture and cloud to "
            "operations and security",
            "builds software for connected products in the automotive and industrial sectors",
        ),
        values_en=(
            "We work in small, autonomous teams where everyone has a say in technology and ways of working.",
            "We believe in continuous delivery, code review and a culture where asking is encouraged.",
            "English is our working language and our team comes from more than ten countries.",
        ),
        offers_en=(
            "hybrid work with the option to work from home part of the week",
            "an annual wellness allowance",
            "collective agreement, occupational pension and health insurance",
            "a personal budget for training and conferences",
            "relocation support if you are moving to Sweden",
        ),
        roles_en=("Engineering manager", "Head of engineering", "CTO"),
        size=(15, 900),
    ),
    "sales": Sector(
        kind="private",
        names=(
            "Säljhuset Nordvåg AB",
            "Kontorsbörsen Svea AB",
            "Signalpunkt Telekom AB",
            "Energikraft Försäljning AB",
            "Lagerlyft Partner AB",
        ),
        business=(
            "säljer kontorsmaterial, kaffe och arbetsplatslösningar till företag",
            "erbjuder telefoni och nätverkstjänster till små och medelstora företag",
            "säljer el- och energitjänster till företag och bostadsrättsföreningar",
            "är grossist inom lager- och förpackningsutrustning",
        ),
        values=(
            "Vi firar framgångar tillsammans och har en stark laganda.",
            "Vi satsar på utbildning och du får en tydlig plan för din utveckling.",
            "Vi har höga mål och en resultatinriktad men lekfull kultur.",
        ),
        offers=(
            "fast lön plus provision utan tak",
            "säljtävlingar och gemensamma aktiviteter",
            "gedigen säljutbildning",
            "friskvårdsbidrag och tjänstepension",
        ),
        roles=("Försäljningschef", "Säljchef", "Teamledare"),
        business_en=("sells telephony and network services to small and medium-sized businesses",),
        values_en=("We celebrate success together and have a strong team spirit.",),
        offers_en=("a competitive salary with commission", "extensive sales training"),
        size=(10, 300),
    ),
    "retail": Sector(
        kind="private",
        names=(
            "Sportboden Fjällstigen AB",
            "Hemlyktan Inredning AB",
            "Bokhörnan Svea AB",
            "Elbutiken Strömkarlen AB",
            "Skohörnan Kvarteret AB",
        ),
        business=(
            "driver butiker inom sport och friluftsliv",
            "säljer heminredning och belysning",
            "är en kedja av fackhandelsbutiker i mellersta och norra Sverige",
            "säljer hemelektronik och vitvaror i butik och på nätet",
        ),
        values=(
            "Vi tror på personlig service och kunskap om våra produkter.",
            "Kunden ska alltid känna sig välkommen och gå härifrån med ett leende.",
        ),
        offers=("personalrabatt", "produktutbildningar", "kollektivavtal", "friskvårdsbidrag"),
        roles=("Butikschef", "Biträdande butikschef"),
        size=(8, 600),
    ),
    "grocery": Sector(
        kind="private",
        names=("Matboden Kvarnen AB", "Handlarn Ekbacken AB", "Närlivs Granen AB", "Livsgården Torget AB"),
        business=(
            "driver en av ortens största livsmedelsbutiker",
            "är en familjeägd dagligvaruhandel",
            "driver tre närbutiker med fokus på färskvaror och lokala producenter",
        ),
        values=(
            "Vi är ett gäng som brinner för mat och bra service.",
            "Vi är stolta över vår färskavdelning och vårt samarbete med lokala odlare.",
        ),
        offers=("personalrabatt", "kollektivavtal", "introduktion på alla avdelningar"),
        roles=("Butikschef", "Handlare", "Avdelningsansvarig"),
        size=(10, 150),
    ),
    "office": Sector(
        kind="private",
        names=(
            "Siffergården Redovisning AB",
            "Balansbyrån Norr AB",
            "Kalkylkontoret Svea AB",
            "Löneverket i Mälardalen AB",
            "Räkenskapshuset Ekvik AB",
        ),
        business=(
            "är en redovisningsbyrå som hjälper små och medelstora företag med bokföring, lön och bokslut",
            "erbjuder ekonomitjänster och rådgivning till företag och föreningar",
            "hanterar löner och ekonomiadministration för ett hundratal kunder",
        ),
        values=(
            "Vi är en auktoriserad byrå med nöjda kunder och låg personalomsättning.",
            "Digitalisering och automatisering är en naturlig del av vårt arbetssätt.",
        ),
        offers=(
            "flexibla arbetstider och möjlighet till distansarbete",
            "friskvårdsbidrag",
            "betald auktorisation och vidareutbildning",
            "tjänstepension",
        ),
        roles=("Kontorschef", "Byråchef", "Teamledare"),
        size=(6, 250),
    ),
    "corporate": Sector(
        kind="private",
        names=(
            "Norrvik Industrier AB",
            "Bergfalk Group AB",
            "Kvarnlyft Produkter AB",
            "Ljungsätra Foods AB",
            "Tallkrona Energi AB",
            "Solvik Hem & Fritid AB",
        ),
        business=(
            "utvecklar, tillverkar och säljer produkter till byggindustrin i hela Norden",
            "är en växande livsmedelskoncern med egna varumärken och export till tolv länder",
            "producerar och säljer förnybar energi till privatpersoner och företag",
            "är ett handelsbolag inom hem och fritid med både butiker och e-handel",
        ),
        values=(
            "Vi är ett bolag med stark tillväxt och korta beslutsvägar.",
            "Hållbarhet är en självklar del av vår affär och vi arbetar aktivt med att minska vårt "
            "klimatavtryck.",
            "Vi har en öppen kultur där initiativ uppmuntras.",
        ),
        offers=(
            "friskvårdsbidrag",
            "bonusprogram",
            "flexibla arbetstider",
            "tjänstepension",
            "möjlighet till distansarbete vissa dagar",
        ),
        roles=("Avdelningschef", "Rekryterande chef"),
        business_en=(
            "is a growing food group with its own brands and exports to twelve countries",
            "produces and sells renewable energy to households and businesses",
        ),
        values_en=(
            "We are a fast-growing company with short decision paths.",
            "Sustainability is at the core of our business.",
        ),
        offers_en=("flexible working hours", "a bonus programme", "an occupational pension"),
        roles_en=("Head of marketing", "Marketing director"),
        size=(60, 3000),
    ),
    "contact_center": Sector(
        kind="private",
        names=(
            "Svarscentralen Norden AB",
            "Kundkraft Service AB",
            "Signalpunkt Telekom AB",
            "Tallkrona Energi AB",
        ),
        business=(
            "sköter kundservice åt företag inom energi, telekom och e-handel",
            "är ett energibolag med kunder i hela landet",
        ),
        values=(
            "Vi tror på att nöjda medarbetare skapar nöjda kunder.",
            "Du får en grundlig introduktion och stöd av coacher under hela första tiden.",
        ),
        offers=(
            "betald utbildning",
            "möjlighet att arbeta hemifrån efter introduktionen",
            "friskvårdsbidrag",
            "kollektivavtal",
        ),
        roles=("Teamledare", "Kundtjänstchef"),
        size=(40, 800),
    ),
    "bygg": Sector(
        kind="private",
        names=(
            "Bergfalk Bygg AB",
            "Kvarnlyft Entreprenad AB",
            "Granlid Byggtjänst AB",
            "Takvinkeln Bygg & Fasad AB",
            "Stommen Byggpartner AB",
        ),
        business=(
            "är en byggentreprenör som uppför bostäder, skolor och kommersiella lokaler",
            "arbetar med nyproduktion, ombyggnad och renovering åt både privata och offentliga kunder",
            "är ett lokalt byggföretag med uppdrag inom om- och tillbyggnad",
        ),
        values=(
            "Säkerheten på våra arbetsplatser går alltid först.",
            "Vi har god orderingång och flera spännande projekt framför oss.",
            "Vi tror på att hålla det vi lovar, både mot kunder och medarbetare.",
        ),
        offers=(
            "kollektivavtal och tjänstepension",
            "arbetskläder och bra verktyg",
            "servicebil för rätt tjänster",
            "friskvårdsbidrag",
        ),
        roles=("Platschef", "Arbetsledare", "Produktionschef"),
        size=(10, 600),
    ),
    "paint": Sector(
        kind="private",
        names=("Måleriverkstaden Färgglad AB", "Penseldraget Måleri AB", "Kulörhuset Måleri AB"),
        business=(
            "utför måleri och tapetsering i nyproduktion och ROT-projekt",
            "är en målerifirma med både privatkunder och stora bostadsbolag som kunder",
        ),
        values=("Vi håller hög kvalitet och har nöjda kunder som kommer tillbaka.",),
        offers=("kollektivavtal", "arbetskläder", "utbildning i nya material och metoder"),
        roles=("Arbetsledare", "Ägare"),
        size=(4, 80),
    ),
    "vvs": Sector(
        kind="private",
        names=("Rörlaget Strömvik AB", "VVS-Kompaniet Källan AB", "Värme & Vatten i Norr AB"),
        business=(
            "installerar och servar värme, vatten och sanitet i bostäder och fastigheter",
            "är ett VVS-företag med uppdrag inom både nyproduktion och service",
        ),
        values=("Vi är auktoriserade och arbetar enligt Säker Vatten.",),
        offers=("servicebil", "kollektivavtal", "friskvårdsbidrag", "utbildning via branschen"),
        roles=("Arbetsledare", "Servicechef"),
        size=(5, 120),
    ),
    "earthworks": Sector(
        kind="private",
        names=("Schaktgruppen Moränen AB", "Markbyggarna Grusåsen AB", "Anläggningsbolaget Dikesrenen AB"),
        business=(
            "utför mark- och anläggningsarbeten åt kommuner, byggbolag och privatpersoner",
            "är ett entreprenadföretag inom schakt, VA och vägarbeten",
        ),
        values=("Vi har moderna maskiner och ett stort fokus på säkerhet.",),
        offers=("kollektivavtal", "moderna maskiner", "arbetskläder"),
        roles=("Arbetsledare", "Platschef"),
        size=(5, 200),
    ),
    "logistics": Sector(
        kind="private",
        names=(
            "Fraktlinjen Norden AB",
            "Lagerhuset Terminalen AB",
            "Budkraft Express AB",
            "Vägvisaren Distribution AB",
            "Pallplatsen Logistik AB",
        ),
        business=(
            "erbjuder lager- och logistiktjänster åt e-handel och industri",
            "kör styckegods och distribution i regionen med ett sextiotal fordon",
            "driver ett av regionens största tredjepartslager",
        ),
        values=(
            "Vi arbetar strukturerat och säkert, med fokus på leveransprecision.",
            "Vi växer och behöver fler kollegor till vår verksamhet.",
        ),
        offers=(
            "kollektivavtal",
            "arbetskläder och skyddsskor",
            "OB-tillägg enligt avtal",
            "möjlighet till utbildningar, till exempel truckkort",
        ),
        roles=("Lagerchef", "Transportledare", "Skiftledare", "Trafikchef"),
        size=(15, 900),
    ),
    "bus": Sector(
        kind="private",
        names=("Busslinjen Mitt AB", "Linjetrafik Vägkrona AB", "Trafikkompaniet Nordpilen AB"),
        business=(
            "kör stads- och regionbusstrafik på uppdrag av kollektivtrafikmyndigheten",
            "bedriver linjetrafik och skolskjutsar i regionen",
        ),
        values=("Trafiksäkerhet och bemötande är det viktigaste vi har.",),
        offers=("betald introduktion på linjerna", "kollektivavtal och tjänstepension", "arbetskläder"),
        roles=("Trafikchef", "Depåchef", "Trafikledare"),
        size=(40, 1200),
    ),
    "restaurant": Sector(
        kind="private",
        names=(
            "Salta Vågen Restaurang AB",
            "Bistro Enebacken AB",
            "Krogen Kvarnhjulet AB",
            "Matsalen Tallbacken AB",
            "Brasseriet Lyktan AB",
        ),
        business=(
            "driver en restaurang med fokus på säsongens råvaror och lokala producenter",
            "driver lunchrestaurang, à la carte och catering under samma tak",
            "är en populär bistro med uteservering och mycket sällskap",
        ),
        values=(
            "Vi lagar mat från grunden och värnar om ett bra arbetsklimat i köket.",
            "Vi har högt tempo men alltid god stämning.",
        ),
        offers=("personalmat", "kollektivavtal", "möjlighet att påverka menyn"),
        roles=("Köksmästare", "Restaurangchef", "Hovmästare"),
        size=(6, 120),
    ),
    "catering": Sector(
        kind="private",
        names=("Måltidskompaniet Ekbacken AB", "Storköket Solkatten AB"),
        business=(
            "lagar skolmåltider och äldreomsorgsmat på uppdrag av kommuner",
            "driver personalrestauranger och konferenskök",
        ),
        values=("Vi lagar näringsriktig mat från grunden med hög andel ekologiska råvaror.",),
        offers=("dagtid och ledigt på helger", "kollektivavtal", "friskvårdsbidrag"),
        roles=("Kökschef", "Kostchef"),
        size=(10, 300),
    ),
    "hotel": Sector(
        kind="private",
        names=(
            "Hotell Fjällvinden AB",
            "Strandhotellet Havsbris AB",
            "Stadshotellet Nordstjärnan AB",
            "Hotel Ljusgården AB",
        ),
        business=(
            "driver ett fyrstjärnigt hotell med konferens, spa och restaurang",
            "är ett familjeägt hotell mitt i centrum med 120 rum",
            "driver hotell och konferensanläggningar i tre städer",
        ),
        values=(
            "Vi vill att varje gäst ska känna sig personligt välkommen.",
            "Vi har ett varmt och hjälpsamt team där alla hjälps åt.",
        ),
        offers=("personalrabatt på hotell och restaurang", "kollektivavtal", "friskvårdsbidrag"),
        roles=("Front office manager", "Hotellchef", "Receptionschef"),
        business_en=(
            "runs a four-star hotel with conference facilities, spa and restaurant",
            "operates hotels and conference venues in three cities",
        ),
        values_en=(
            "We want every guest to feel personally welcome.",
            "Many of our guests come from abroad and our team speaks a dozen languages.",
        ),
        offers_en=(
            "staff discounts at our hotels and restaurants",
            "a collective agreement",
            "a wellness allowance",
        ),
        roles_en=("Front office manager", "Hotel manager"),
        size=(20, 400),
    ),
    "industry": Sector(
        kind="private",
        names=(
            "Norrvik Mekaniska AB",
            "Bergfalk Industri AB",
            "Kvarnlyft Produkter AB",
            "Stålsmedjan Ekbacken AB",
            "Precisionsverkstaden Svarvaren AB",
            "Tallkrona Komponenter AB",
        ),
        business=(
            "tillverkar komponenter åt fordons- och verkstadsindustrin",
            "är en legotillverkare inom skärande bearbetning, svets och montering",
            "utvecklar och tillverkar lyft- och hanteringsutrustning för export",
            "tillverkar stålkonstruktioner för bygg- och energisektorn",
        ),
        values=(
            "Vi arbetar enligt lean och har ett starkt fokus på säkerhet och kvalitet.",
            "Vi har en modern maskinpark och investerar löpande i automation.",
            "Vi har en god orderingång och behöver förstärka produktionen.",
        ),
        offers=(
            "kollektivavtal med skiftformstillägg",
            "arbetskläder och skyddsutrustning",
            "friskvårdsbidrag",
            "möjlighet till intern utbildning och certifiering",
        ),
        roles=("Produktionschef", "Produktionsledare", "Skiftledare"),
        size=(20, 1500),
    ),
    "installation": Sector(
        kind="private",
        names=(
            "Elkraft Strömvik AB",
            "Kopplingen Elteknik AB",
            "Ljuspunkten Installation AB",
            "Servicemekano Norr AB",
        ),
        business=(
            "utför elinstallationer i bostäder, kontor och industrier",
            "arbetar med service, underhåll och installation åt industri och fastighetsägare",
            "är ett installationsföretag inom el, styr och säkerhet",
        ),
        values=(
            "Vi är ett auktoriserat företag med en stabil kundbas.",
            "Vi satsar på våra medarbetare och erbjuder kontinuerlig utbildning.",
        ),
        offers=("servicebil", "kollektivavtal", "friskvårdsbidrag", "betald certifiering"),
        roles=("Arbetsledare", "Servicechef", "Underhållschef"),
        size=(8, 400),
    ),
    "property": Sector(
        kind="private",
        names=("Hemvisten Fastigheter AB", "Kvartersvärden AB", "Bostadsgården Ekbacken AB"),
        business=("äger och förvaltar bostäder och lokaler", "förvaltar drygt 3 000 hyreslägenheter"),
        values=("Våra hyresgäster ska känna sig trygga och väl omhändertagna.",),
        offers=("tjänstebil", "kollektivavtal", "friskvårdsbidrag"),
        roles=("Förvaltare", "Driftchef"),
        size=(10, 300),
    ),
    "forest": Sector(
        kind="private",
        names=("Skogsbruket Tallmon AB", "Avverkningslaget Granris AB", "Mossmyrens Skogstjänst AB"),
        business=(
            "utför avverkning och skogsvård åt skogsägare i regionen",
            "är en skogsentreprenör med uppdrag åt flera större skogsbolag",
        ),
        values=("Vi arbetar med moderna maskiner och stort fokus på naturhänsyn.",),
        offers=("moderna maskiner", "kollektivavtal", "traktamente vid arbete på annan ort"),
        roles=("Ägare", "Arbetsledare"),
        size=(3, 60),
    ),
    "farm": Sector(
        kind="private",
        names=("Ekhagens Lantbruk AB", "Mjölkgården Västerlid AB", "Hagmarkens Gård AB"),
        business=(
            "driver mjölkproduktion med 250 kor och robotmjölkning",
            "är ett familjejordbruk med mjölk, köttdjur och växtodling",
        ),
        values=("Djurens välbefinnande är vår högsta prioritet.",),
        offers=("kollektivavtal", "möjlighet till boende på gården"),
        roles=("Ägare", "Driftledare"),
        size=(3, 30),
    ),
    "garden": Sector(
        kind="private",
        names=("Gröna Rummet Trädgårdsanläggning AB", "Parkpartner Lindvik AB"),
        business=(
            "anlägger och sköter parker, trädgårdar och utemiljöer",
            "har skötselavtal med bostadsbolag och kommuner",
        ),
        values=("Vi gör staden grönare, en rabatt i taget.",),
        offers=("kollektivavtal", "arbetskläder"),
        roles=("Arbetsledare",),
        size=(5, 120),
    ),
    "media": Sector(
        kind="private",
        names=(
            "Kusttidningen Ankaret AB",
            "Lokalnytt Tallbo AB",
            "Formbyrån Kvadrat AB",
            "Reklambyrån Pixelpunkt AB",
        ),
        business=(
            "ger ut en lokal nyhetstidning och driver en av regionens mest lästa nyhetssajter",
            "är en kommunikationsbyrå med kunder inom handel, turism och offentlig sektor",
        ),
        values=(
            "Vi tror på lokal journalistik och visuell kommunikation som gör skillnad.",
            "Hos oss är det högt i tak och nära till beslut.",
        ),
        offers=("flexibla arbetstider", "friskvårdsbidrag", "kollektivavtal"),
        roles=("Redaktionschef", "Nyhetschef", "Art director", "Byråchef"),
        size=(6, 200),
    ),
    "security": Sector(
        kind="private",
        names=("Vaktbolaget Ugglan AB", "Trygghetsbevakning Norden AB", "Bevakningsgruppen Fyrtornet AB"),
        business=(
            "erbjuder bevakning, larmutryckning och ordningsvakter",
            "är ett auktoriserat bevakningsföretag",
        ),
        values=("Vi skapar trygghet för våra kunder dygnet runt.",),
        offers=("betald väktarutbildning", "kollektivavtal", "uniform och utrustning"),
        roles=("Gruppchef", "Driftledare"),
        check="Anställning förutsätter godkänd säkerhetsprövning enligt lagen om bevakningsföretag.",
        size=(20, 1500),
    ),
    "cleaning": Sector(
        kind="private",
        names=("Städkompaniet Glans AB", "Renhetsgruppen Skimmer AB", "Lokalvårdarna i Norr AB"),
        business=(
            "utför lokalvård åt kontor, skolor och vårdlokaler",
            "erbjuder städtjänster till företag, bostadsrättsföreningar och privatpersoner",
        ),
        values=("Vi tror på ordning och reda, både hos kunden och i vår egen verksamhet.",),
        offers=("arbetskläder", "kollektivavtal", "utbildning i städteknik"),
        roles=("Arbetsledare", "Områdeschef"),
        size=(10, 600),
    ),
    "recycling": Sector(
        kind="private",
        names=("Återbruket Kretsloppet AB", "Miljöcentralen Returen AB"),
        business=("driver återvinningscentraler på uppdrag av kommunerna i regionen",),
        values=("Vi hjälper invånarna att sortera rätt och ta vara på resurser.",),
        offers=("arbetskläder", "kollektivavtal"),
        roles=("Driftchef", "Arbetsledare"),
        size=(10, 200),
    ),
    "engineering": Sector(
        kind="private",
        names=("Konstruktionsbyrån Ritstiftet AB", "Ingenjörshuset Vinkeln AB", "Elprojekt Spänningen AB"),
        business=(
            "är ett teknikkonsultbolag inom mekanik, el och automation",
            "utvecklar maskiner och utrustning åt industrikunder i hela Europa",
        ),
        values=(
            "Vi arbetar nära våra kunder i projekt från idé till färdig produkt.",
            "Kompetensutveckling och ett gott samarbetsklimat är viktigt för oss.",
        ),
        offers=(
            "flexibla arbetstider",
            "friskvårdsbidrag",
            "kollektivavtal och tjänstepension",
            "möjlighet att arbeta hemifrån vissa dagar",
        ),
        roles=("Gruppchef", "Avdelningschef", "Teknisk chef"),
        business_en=(
            "is an engineering consultancy in mechanics, electrical systems and automation",
            "develops machines and equipment for industrial customers across Europe",
        ),
        values_en=("We work closely with our customers from idea to finished product.",),
        offers_en=("flexible working hours", "a wellness allowance", "a collective agreement and pension"),
        roles_en=("Group manager", "Engineering manager"),
        size=(15, 700),
    ),
    "lab": Sector(
        kind="private",
        names=("Analyslabbet Provröret AB", "Kemigruppen Katalys AB", "Miljöanalys Källsprång AB"),
        business=(
            "är ett ackrediterat analyslaboratorium inom miljö, livsmedel och läkemedel",
            "utvecklar specialkemikalier för industrin",
        ),
        values=("Vi arbetar enligt ISO 17025 och har högt ställda krav på kvalitet.",),
        offers=("flexibla arbetstider", "friskvårdsbidrag", "kollektivavtal"),
        roles=("Laboratoriechef", "Gruppchef"),
        business_en=(
            "is an accredited analytical laboratory for environment, food and pharma",
            "develops speciality chemicals for industry",
        ),
        values_en=("We work to ISO 17025 and take quality seriously.",),
        offers_en=("flexible working hours", "a wellness allowance", "a collective agreement"),
        roles_en=("Lab manager", "Group manager"),
        size=(15, 400),
    ),
    "military": Sector(
        kind="military",
        names=("Fjällregementet", "Sydkustens marinflottilj", "Mälardalens ledningsregemente"),
        values=(
            "Vi verkar för Sveriges säkerhet, i fred som i kris.",
            "Här får du utbildning, kamratskap och utmaningar du inte hittar någon annanstans.",
        ),
        offers=("betald utbildning", "fri träning på arbetstid", "kost och logi under övningar"),
        roles=("Kompanichef", "Rekryteringsansvarig"),
        size=(400, 3000),
    ),
    "salon": Sector(
        kind="private",
        names=("Salong Saxklippet AB", "Frisörstudion Lockvågen AB", "Hårhörnan Solvik AB"),
        business=(
            "är en frisörsalong med fem stolar mitt i centrum",
            "driver en salong med fokus på färg och hållbara produkter",
        ),
        values=("Vi är ett glatt gäng med många trogna kunder.",),
        offers=("produktutbildningar", "kollektivavtal"),
        roles=("Salongsägare",),
        size=(3, 20),
    ),
    "bakery": Sector(
        kind="private",
        names=("Bageriet Kavelbrödet AB", "Konditori Mandelkvarnen AB"),
        business=(
            "bakar surdegsbröd och fikabröd från grunden varje morgon",
            "är ett hantverksbageri och konditori med eget kafé",
        ),
        values=("Vi bakar med ekologiskt mjöl och långa jäsningstider.",),
        offers=("kollektivavtal", "personalrabatt"),
        roles=("Bagerichef", "Ägare"),
        size=(4, 40),
    ),
    "school_private": Sector(
        kind="private",
        names=("Lärgårdens Friskola AB", "Förskolan Skogsstjärnan AB", "Kunskapsbron Skolor AB"),
        business=(
            "driver förskolor och grundskolor med profil mot natur och hållbarhet",
            "är en fristående skola med cirka 400 elever",
        ),
        values=(
            "Vi har små grupper och mycket utevistelse.",
            "Vi arbetar medvetet med studiero och höga förväntningar.",
        ),
        offers=("mindre barngrupper", "friskvårdsbidrag", "tid för kompetensutveckling"),
        roles=("Rektor", "Förskolechef"),
        check=_CHECK_SCHOOL,
        size=(15, 400),
    ),
}


# ---------------------------------------------------------------------------------------
# Generic phrase pools. Ads are assembled from these plus the occupation's own pools, with
# independent choices per section so that two ads for the same occupation differ in wording,
# order and structure like real Platsbanken ads do.
# ---------------------------------------------------------------------------------------

SV_H_ABOUT = ("Om oss", "Om arbetsplatsen", "Vilka är vi?", "Om {short}")
SV_H_ROLE = ("Om tjänsten", "Arbetsuppgifter", "Dina arbetsuppgifter", "Om rollen", "Om jobbet")
SV_H_PROFILE = ("Vi söker dig som", "Kvalifikationer", "Din profil", "Vem är du?", "Krav för tjänsten")
SV_H_MERIT = ("Meriterande", "Det är meriterande om du har", "Meriterande kvalifikationer")
SV_H_OFFER = ("Vi erbjuder", "Vad vi erbjuder", "Förmåner", "Det här får du hos oss")
SV_H_TERMS = ("Anställningsvillkor", "Anställningsform", "Villkor", "Omfattning och tillträde")
SV_H_APPLY = ("Ansökan", "Så söker du", "Välkommen med din ansökan", "Kontakt och ansökan")

SV_PRIVATE_INTROS = (
    "{employer} {business}. Företaget grundades {year} och har i dag omkring {n} medarbetare{loc}.",
    "Vi på {short} {business}. Hos oss är vi omkring {n} kollegor{loc}, och vi tror på {belief}.",
    "{employer} är ett {adj} företag som {business}. {value}",
    "Sedan {year} har {short} vuxit till omkring {n} medarbetare{loc}. Vi {business}.",
)
SV_ADJ = ("familjeägt", "växande", "lokalt förankrat", "väletablerat", "medarbetarägt", "expansivt")
SV_BELIEF = (
    "korta beslutsvägar och stort eget ansvar",
    "att trivsel och kompetens går hand i hand",
    "långsiktiga relationer med både kunder och medarbetare",
    "öppenhet, omtanke och ordning och reda",
    "att alla ska kunna utvecklas i sin yrkesroll",
)
SV_LOC = ("", " med kontor i {town}", " på orten", " i {town} med omnejd", " runt om i landet")

SV_REGION_INTROS = (
    "{employer} ansvarar för hälso- och sjukvården i {lan} och är med sina drygt {n} medarbetare "
    "en av länets största arbetsgivare.",
    "Hos {employer} arbetar vi för att invånarna i {lan} ska få en god, nära och säker vård.",
    "Välkommen till {employer}! Vi erbjuder vård i hela länet, från universitets- och länssjukhus "
    "till små mottagningar på landsbygden.",
    "{employer} är en politiskt styrd organisation med uppdrag att skapa goda förutsättningar för "
    "hälsa och hållbar utveckling i {lan}.",
)
SV_KOMMUN_INTROS = (
    "{employer} är en av de största arbetsgivarna i {town} och ansvarar för service som berör "
    "invånarna varje dag.",
    "I {employer} är vi omkring {n} medarbetare som tillsammans gör {town} till en bra plats att "
    "leva, bo och verka i.",
    "Att arbeta i {employer} innebär att göra skillnad i människors vardag. {dept} har ett brett "
    "uppdrag och många kompetenta kollegor.",
    "{dept} i {employer} arbetar för att invånarna ska få en god service med hög kvalitet.",
)
SV_MILITARY_INTROS = (
    "{employer} är ett förband som utbildar soldater och sjömän för uppgifter i Sverige och internationellt.",
    "Vid {employer} utbildas enheter som ska kunna verka i alla väder och i alla delar av landet.",
)

SV_OPENERS = (
    "Nu söker vi {noun} till {unit}.",
    "Vi söker nu {noun} till {unit} i {town}.",
    "Till {unit} söker vi en engagerad {noun}.",
    "Vill du arbeta som {noun} i {town}? Då kan det här vara rätt tjänst för dig.",
    "Vi växer och behöver ytterligare en {noun} till {unit}.",
    "Är du {noun} och vill ha ett arbete där du verkligen gör skillnad? Vi söker nu en ny kollega "
    "till {unit}.",
    "Är du vår nya {noun}? Vi söker en kollega till {unit} i {town}.",
)
SV_DUTY_LEADS = (
    "Arbetsuppgifterna omfattar bland annat att:",
    "I rollen ingår att:",
    "Exempel på arbetsuppgifter:",
    "Du kommer bland annat att:",
)
SV_DUTY_SENTENCES = (
    "I tjänsten ingår att {list}.",
    "Dina huvudsakliga arbetsuppgifter är att {list}.",
    "Du kommer bland annat att {list}.",
    "Som {noun} hos oss kommer du att {list}.",
)
SV_REQ_SENTENCES = (
    "Vi söker dig som {list}.",
    "Vi tror att du {list}.",
    "För att lyckas i rollen behöver du vara någon som {list}.",
)
SV_MERIT_SENTENCES = (
    "Det är meriterande om du har {list}.",
    "Meriterande är {list}.",
    "Vi ser gärna att du har {list}.",
)
SV_TRAIT_SENTENCES = (
    "Som person är du {a} och {b}.",
    "Vi tror att du är {a}, {b} och {c}.",
    "För att trivas hos oss behöver du vara {a} och {b}.",
    "Stor vikt läggs vid personlig lämplighet. Du är {a} och {b}, och du {c_verb}.",
    "Du är {a} och {b} och trivs med att ta eget ansvar.",
)
SV_TRAITS = (
    "strukturerad",
    "lyhörd",
    "ansvarstagande",
    "flexibel",
    "noggrann",
    "serviceinriktad",
    "prestigelös",
    "initiativrik",
    "lugn",
    "kommunikativ",
    "lösningsorienterad",
    "positiv",
    "självgående",
    "samarbetsvillig",
    "nyfiken",
    "pålitlig",
    "engagerad",
)
SV_TRAIT_VERBS = (
    "har lätt för att samarbeta",
    "tar initiativ",
    "är bra på att prioritera",
    "bidrar till en god stämning",
    "har ett gott omdöme",
)
SV_LANGUAGE_REQS = (
    "har goda kunskaper i svenska i tal och skrift",
    "uttrycker dig väl på svenska i tal och skrift",
    "talar och skriver svenska obehindrat",
)
SV_OFFER_SENTENCES = (
    "Hos oss får du {list}.",
    "Vi erbjuder {list}.",
    "Som medarbetare hos oss får du bland annat {list}.",
)
SV_GENERIC_OFFERS = (
    "en trevlig arbetsplats med engagerade kollegor",
    "en god introduktion",
    "goda utvecklingsmöjligheter",
    "en arbetsplats där du blir sedd och hörd",
)
SV_START = (
    "Tillträde enligt överenskommelse.",
    "Tillträde snarast.",
    "Tillträde snarast eller enligt överenskommelse.",
    "Start enligt överenskommelse.",
)
SV_PROBATION = (
    "Vi tillämpar sex månaders provanställning.",
    "Anställningen inleds med sex månaders provanställning.",
)
SV_APPLY_URL = (
    "Ansök via länken i annonsen. Vi tar inte emot ansökningar via e-post.",
    "Skicka in din ansökan med CV och personligt brev via vårt rekryteringssystem.",
    "Sök tjänsten via vår webbplats, där du registrerar ditt CV och besvarar några urvalsfrågor.",
)
SV_APPLY_EMAIL = (
    "Skicka din ansökan med CV och personligt brev till {email}. Märk ansökan med {ref}.",
    "Mejla ditt CV och några rader om varför du söker tjänsten till {email} och ange referens {ref}.",
)
SV_SELECTION = (
    "Urval och intervjuer sker löpande, så vänta inte med din ansökan.",
    "Vi går igenom ansökningarna löpande och tjänsten kan komma att tillsättas innan sista ansökningsdag.",
    "Sista ansökningsdag framgår av annonsen. Intervjuer planeras löpande.",
    "Vi ser fram emot din ansökan!",
)
SV_CONTACT = (
    "Har du frågor om tjänsten är du välkommen att kontakta {role} {name} på {phone} eller {email}.",
    "Vill du veta mer? Kontakta {role} {name}, {phone}.",
    "Frågor om tjänsten besvaras av {name}, {role}, {phone}, {email}.",
)
SV_CLOSING = (
    "Vi undanber oss vänligen men bestämt kontakt med rekryterings- och annonsföretag.",
    "Vi har redan gjort vårt medieval för den här rekryteringen och undanber oss kontakt med annonssäljare.",
    "Du som har skyddade personuppgifter kontaktar rekryterande chef innan du skickar in din ansökan.",
    "Vi välkomnar sökande med olika bakgrund och erfarenheter.",
)

EN_H_ABOUT = ("About us", "About {short}", "Who we are")
EN_H_ROLE = ("About the role", "What you will do", "The role")
EN_H_PROFILE = ("Who we are looking for", "About you", "Requirements")
EN_H_MERIT = ("Nice to have", "It is a plus if you have", "Bonus points for")
EN_H_OFFER = ("What we offer", "Benefits", "Why join us")
EN_H_TERMS = ("Terms of employment", "Employment terms", "The details")
EN_H_APPLY = ("How to apply", "Apply", "Questions and application")
EN_PRIVATE_INTROS = (
    "{employer} {business}. Founded in {year}, we are now around {n} people{loc}.",
    "{employer} {business}. We are about {n} colleagues{loc} and we value {belief}.",
    "{employer} is a {adj} company that {business}. {value}",
)
EN_ADJ = ("growing", "family-owned", "well-established", "fast-moving", "employee-owned")
EN_BELIEF = (
    "short decision paths and real ownership",
    "learning from each other every day",
    "long-term relationships with customers and colleagues",
)
EN_LOC = ("", " with an office in {town}", " in {town} and beyond", " across Sweden")
EN_OPENERS = (
    "We are now looking for {a_noun} to join {unit}.",
    "Do you want to work as {a_noun} in {town}? Then this could be the job for you.",
    "We are growing and need another {noun} in {unit}.",
    "Join {unit} in {town} as our new {noun}.",
)
EN_DUTY_LEADS = ("Your responsibilities will include:", "In this role you will:", "You will:")
EN_DUTY_SENTENCES = ("In this role you will {list}.", "Your main tasks are to {list}.")
EN_REQ_SENTENCES = ("We are looking for someone who {list}.", "We believe that you {list}.")
EN_REQ_BULLET_LEAD = ("You:", "We think you:")
EN_MERIT_SENTENCES = ("It is a plus if you have {list}.", "Bonus points for {list}.")
EN_TRAIT_SENTENCES = ("As a person you are {a} and {b}.", "You are {a}, {b} and {c}.")
EN_TRAITS = (
    "structured",
    "curious",
    "collaborative",
    "pragmatic",
    "reliable",
    "self-driven",
    "solution-oriented",
    "communicative",
    "detail-oriented",
)
EN_OFFER_SENTENCES = ("We offer {list}.", "With us you get {list}.")
EN_GENERIC_OFFERS = (
    "friendly and knowledgeable colleagues",
    "a thorough onboarding",
    "good opportunities to grow",
)
EN_START = ("Start date by agreement.", "Start as soon as possible.", "Start date flexible.")
EN_APPLY_URL = (
    "Apply through the link in this ad; we do not accept applications by e-mail.",
    "Send your CV and a short cover letter through our recruitment system.",
)
EN_APPLY_EMAIL = ("Send your CV and a short cover letter to {email}, marked {ref}.",)
EN_SELECTION = (
    "We review applications continuously, so do not wait to apply.",
    "Interviews are held on a rolling basis.",
    "We look forward to hearing from you!",
)
EN_CONTACT = (
    "If you have questions about the role, contact {role} {name} at {phone} or {email}.",
    "Questions? Reach out to {name}, {role}, at {email}.",
)
EN_CLOSING = (
    "We kindly decline contact from recruitment agencies and ad sellers.",
    "We welcome applicants of all backgrounds.",
)

FIRST_NAMES = (
    "Anna",
    "Maria",
    "Karin",
    "Sara",
    "Emma",
    "Johanna",
    "Linnea",
    "Elin",
    "Sofia",
    "Malin",
    "Frida",
    "Hanna",
    "Ida",
    "Amanda",
    "Lena",
    "Eva",
    "Camilla",
    "Jenny",
    "Nadia",
    "Leila",
    "Erik",
    "Lars",
    "Johan",
    "Anders",
    "Per",
    "Mikael",
    "Fredrik",
    "Jonas",
    "Oskar",
    "Viktor",
    "Daniel",
    "Mattias",
    "Ahmed",
    "Ali",
    "Mehmet",
    "Niklas",
    "Henrik",
    "Peter",
    "Tomas",
    "Simon",
    "Aino",
    "Marek",
)
LAST_NAMES = (
    "Lindqvist",
    "Bergström",
    "Sandberg",
    "Holmgren",
    "Ekström",
    "Forsberg",
    "Nyberg",
    "Sjöberg",
    "Lundgren",
    "Wallin",
    "Engström",
    "Åberg",
    "Hedlund",
    "Blomqvist",
    "Dahlberg",
    "Falk",
    "Strand",
    "Nordin",
    "Björklund",
    "Sundqvist",
    "Öberg",
    "Hansson",
    "Axelsson",
    "Lindholm",
    "Karimi",
    "Haddad",
    "Yilmaz",
    "Novak",
    "Korhonen",
    "Mäkinen",
    "Rahimi",
)
STREETS = (
    "Storgatan",
    "Kungsgatan",
    "Industrivägen",
    "Sjukhusvägen",
    "Skolgatan",
    "Järnvägsgatan",
    "Verkstadsgatan",
    "Hamngatan",
    "Torggatan",
    "Företagsvägen",
    "Lagervägen",
    "Parkvägen",
)

SALARY_TEXTS = {
    "fixed": (
        "Individuell lönesättning",
        "Enligt överenskommelse",
        "Månadslön enligt kollektivavtal",
        "Fast månadslön",
        "Enligt avtal",
        "Individuell lön. Ange gärna löneanspråk i ansökan.",
    ),
    "hourly": ("Timlön enligt kollektivavtal", "Timlön enligt avtal"),
    "mixed": ("Fast lön plus provision", "Fast grundlön och rörlig bonus", "Fast och rörlig lön"),
    "commission": ("Provisionsbaserad lön med garanterad grundlön",),
}
SALARY_TEXTS_EN = {
    "fixed": ("individual salary", "by agreement", "monthly salary according to collective agreement"),
    "hourly": ("hourly wage according to collective agreement",),
    "mixed": ("base salary plus commission", "fixed salary and variable bonus"),
    "commission": ("commission-based pay with a guaranteed minimum",),
}


# ---------------------------------------------------------------------------------------
# Occupation profiles: what one trade's ads say. Phrase conventions (so the assembler can
# put them in lists, bullets or sentences): duties are infinitive phrases without "att",
# requirements are present-tense phrases completing "du …", merits complete "du har …".
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnglishText:
    """The English pools of a profile; same phrase conventions as the Swedish ones."""

    titles: tuple[str, ...]
    noun: str
    units: tuple[str, ...]
    about: tuple[str, ...]
    duties: tuple[str, ...]
    reqs: tuple[str, ...]
    merits: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Profile:
    """One occupation's ads: taxonomy concept, how many ads, who employs, and what they say."""

    occupation: str
    count: int
    sectors: tuple[tuple[str, int], ...]
    noun: str
    titles: tuple[str, ...]
    units: tuple[str, ...]
    about: tuple[str, ...]
    duties: tuple[str, ...]
    reqs: tuple[str, ...]
    merits: tuple[str, ...]
    must: tuple[str, ...] = ()
    nice: tuple[str, ...] = ()
    units_by_sector: dict[str, tuple[str, ...]] = field(default_factory=dict)
    license: str | None = None
    license_share: float = 1.0
    hours: str = "full"
    """"full", "part" or "mixed"."""
    temp: float = 0.15
    on_call: float = 0.0
    experience: float = 0.5
    pay: str = "fixed"
    places: str | tuple[str, ...] = "any"
    """"any" (by size), "city" (larger towns), "rural" (smaller towns) or explicit names."""
    traits: tuple[str, ...] = ()
    schedule: tuple[str, ...] = ()
    depts: tuple[str, ...] = ()
    """Administrations a municipality would advertise this trade from (overrides the sector's)."""
    public_workplace: str | None = None
    check: str | None = None
    notes: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    """Contact titles when the sector's usual ones do not fit this trade."""
    offers: tuple[str, ...] = ()
    """Benefits of this trade, offered on top of the sector's own."""
    english: int = 0
    en: EnglishText | None = None


_LIC_B = "B"
_SCHOOL_DEPTS = ("Utbildningsförvaltningen", "Barn- och utbildningsförvaltningen", "Skolförvaltningen")
_PRESCHOOL_DEPTS = ("Förskoleförvaltningen", "Barn- och utbildningsförvaltningen")
_ELDERCARE_DEPTS = ("Vård- och omsorgsförvaltningen", "Äldreomsorgen", "Omsorgsförvaltningen")

PROFILES: tuple[Profile, ...] = (
    # ---------------------------------------------------------------- Hälso- och sjukvård
    Profile(
        occupation="bXNH_MNX_dUR",
        count=10,
        sectors=(("region", 6), ("kommun_care", 2), ("care_private", 2)),
        noun="sjuksköterska",
        titles=("Sjuksköterska", "Legitimerad sjuksköterska", "Sjuksköterskor"),
        units=(
            "medicinavdelningen",
            "vårdavdelning 4, kirurgi",
            "akutmottagningen",
            "ortopedavdelningen",
            "hälsocentralen",
            "infektionskliniken",
        ),
        units_by_sector={
            "kommun_care": ("hemsjukvården", "kommunens särskilda boenden", "korttidsenheten"),
            "care_private": ("vårt vårdboende", "vår vårdcentral", "hemsjukvårdsteamet"),
        },
        about=(
            "Du blir en del av ett tvärprofessionellt team med läkare, undersköterskor, fysioterapeuter "
            "och arbetsterapeuter.",
            "Vi har en strukturerad introduktion och en erfaren handledare under de första veckorna.",
            "Här möter du patienter med många olika diagnoser, vilket ger en bred och utvecklande "
            "erfarenhet.",
            "Vi arbetar aktivt med patientsäkerhet och har korta beslutsvägar till närmaste chef.",
        ),
        duties=(
            "planera, genomföra och dokumentera omvårdnaden av dina patienter",
            "ansvara för läkemedelshantering och ordinationer",
            "samarbeta med läkare och övriga professioner kring patientens vård",
            "leda och fördela arbetet i vårdlaget",
            "ge information och stöd till patienter och närstående",
            "delta i ronder och vårdplaneringar",
            "bedöma vårdbehov och prioritera insatser",
            "delta i förbättrings- och patientsäkerhetsarbetet",
        ),
        reqs=(
            "har svensk legitimation som sjuksköterska",
            "har god förmåga att dokumentera i digitala journalsystem",
            "trivs med att arbeta i team och ta ansvar för helheten",
            "har goda kunskaper i svenska i tal och skrift",
        ),
        merits=(
            "erfarenhet från slutenvård eller akutsjukvård",
            "vidareutbildning inom vård av äldre eller akutsjukvård",
            "erfarenhet av journalsystemet Cosmic",
            "B-körkort",
        ),
        must=("Legitimation som sjuksköterska",),
        nice=("Omvårdnad", "Hemsjukvård", "Palliativ vård", "Geriatrisk omvårdnad"),
        hours="mixed",
        temp=0.25,
        experience=0.3,
        depts=_ELDERCARE_DEPTS,
        traits=("lugn", "lyhörd", "ansvarstagande", "flexibel", "strukturerad"),
        schedule=(
            "Schemat är rullande med dag, kväll och var tredje helg.",
            "Arbetstiden är förlagd till dag och kväll samt helg enligt schema.",
            "Tjänsten är på dagtid med inslag av helgtjänstgöring.",
        ),
    ),
    Profile(
        occupation="bSEB_VKd_Ub3",
        count=8,
        sectors=(("kommun_care", 6), ("care_private", 2)),
        noun="undersköterska",
        titles=("Undersköterska", "Undersköterskor", "Undersköterska, heltid"),
        units=(
            "hemtjänsten",
            "hemtjänstgrupp Centrum",
            "ett särskilt boende för personer med demenssjukdom",
            "korttidsboendet",
            "nattpatrullen",
        ),
        about=(
            "Hos oss arbetar du nära de äldre och gör det möjligt för dem att leva ett tryggt liv i sitt "
            "eget hem.",
            "Arbetet sker i team tillsammans med sjuksköterskor, arbetsterapeuter och fysioterapeuter.",
            "Vi använder digitala hjälpmedel som mobil dokumentation och digitala lås.",
            "Boendet har fyra avdelningar med åtta lägenheter vardera och en trivsam gemensam trädgård.",
        ),
        duties=(
            "ge stöd och omvårdnad utifrån varje persons behov och önskemål",
            "hjälpa till med personlig hygien, måltider och förflyttningar",
            "utföra delegerade hälso- och sjukvårdsinsatser",
            "dokumentera i den sociala journalen",
            "vara kontaktman för några av våra brukare",
            "bidra till meningsfulla aktiviteter i vardagen",
            "uppmärksamma förändringar i hälsotillståndet och rapportera till sjuksköterska",
        ),
        reqs=(
            "har undersköterskeutbildning och skyddad yrkestitel som undersköterska",
            "har erfarenhet av arbete inom äldreomsorgen",
            "kan kommunicera väl på svenska i tal och skrift",
            "har lätt för att samarbeta",
        ),
        merits=("erfarenhet av demensvård", "utbildning i palliativ vård", "B-körkort"),
        must=("Omvårdnad", "Äldreomsorg"),
        nice=("Demensvård", "Hemtjänst"),
        offers=(
            "arbetskläder",
            "möjlighet till önskeschema och heltid som norm",
            "kompetensutveckling inom demens och palliativ vård",
        ),
        license=_LIC_B,
        license_share=0.5,
        hours="mixed",
        temp=0.3,
        on_call=0.15,
        depts=_ELDERCARE_DEPTS,
        traits=("empatisk", "flexibel", "lyhörd", "pålitlig", "positiv"),
        schedule=(
            "Arbetstiden är dag och kväll samt varannan helg.",
            "Tjänsten innefattar arbete dag, kväll och helg enligt rullande schema.",
            "Nattjänstgöring enligt schema.",
        ),
    ),
    Profile(
        occupation="PQkQ_Dmk_ZF8",
        count=5,
        sectors=(("region", 4), ("care_private", 1)),
        noun="undersköterska",
        titles=("Undersköterska", "Undersköterskor"),
        units=(
            "kirurgavdelningen",
            "akutmottagningen",
            "dialysmottagningen",
            "ögonmottagningen",
            "geriatriska kliniken",
        ),
        about=(
            "Du arbetar i team med sjuksköterskor och läkare och är en viktig del av patientens vårdkedja.",
            "Vi tar emot både planerade och akuta patienter och har ett högt tempo.",
            "Mottagningen har öppet dagtid och du får en bred introduktion.",
        ),
        duties=(
            "ge omvårdnad och stöd till patienter i samband med undersökningar och behandlingar",
            "ta prover, EKG och kontrollera vitalparametrar",
            "förbereda och ställa i ordning undersökningsrum",
            "hantera sterilteknisk utrustning och beställa förbrukningsmaterial",
            "dokumentera i patientjournalen",
            "samverka med sjuksköterskor och läkare i det dagliga arbetet",
        ),
        reqs=(
            "har undersköterskeutbildning och skyddad yrkestitel som undersköterska",
            "har erfarenhet av arbete inom hälso- och sjukvård",
            "är van att arbeta med datorstödd dokumentation",
            "talar och skriver svenska obehindrat",
        ),
        merits=("erfarenhet från akutsjukvård", "erfarenhet av provtagning", "utbildning i sterilteknik"),
        must=("Omvårdnad",),
        nice=("Hjärt- och lungräddning", "Allmän omvårdnadserfarenhet"),
        hours="mixed",
        temp=0.3,
        schedule=("Arbetstiden är dagtid vardagar.", "Schemat innehåller dag, kväll och helg."),
    ),
    Profile(
        occupation="aCoU_U6i_fza",
        count=4,
        sectors=(("region", 3), ("care_private", 1)),
        noun="specialistläkare i allmänmedicin",
        titles=("Specialistläkare i allmänmedicin", "Distriktsläkare", "Specialist i allmänmedicin"),
        units=("hälsocentralen", "vårdcentralen Norra", "vår vårdcentral", "familjeläkarenheten"),
        about=(
            "Vårdcentralen har omkring 9 000 listade patienter och ett stabilt team av läkare, "
            "sjuksköterskor och rehabpersonal.",
            "Vi har ett nära samarbete med kommunens hemsjukvård och den psykiatriska öppenvården.",
            "Hos oss finns möjlighet att kombinera kliniskt arbete med handledning av ST-läkare och "
            "forskning.",
        ),
        duties=(
            "bedriva allmänmedicinsk mottagningsverksamhet med både planerade och akuta besök",
            "ansvara för läkarinsatser på särskilda boenden och inom hemsjukvården",
            "handleda AT- och ST-läkare",
            "delta i vårdcentralens utvecklings- och kvalitetsarbete",
            "arbeta med digitala vårdmöten som komplement till fysiska besök",
        ),
        reqs=(
            "är legitimerad läkare med specialistkompetens i allmänmedicin",
            "har goda kunskaper i svenska i tal och skrift",
            "har ett patientfokuserat förhållningssätt",
        ),
        merits=(
            "erfarenhet av handledning",
            "intresse för verksamhetsutveckling",
            "erfarenhet av journalsystemet TakeCare",
        ),
        must=("Legitimation som läkare",),
        temp=0.1,
        experience=0.9,
    ),
    Profile(
        occupation="ES2Z_D87_uLq",
        count=4,
        sectors=(("region", 2), ("rehab", 1), ("kommun_care", 1)),
        noun="fysioterapeut",
        titles=("Fysioterapeut", "Legitimerad fysioterapeut"),
        units=("rehabiliteringsmottagningen", "ortopedkliniken", "vår mottagning"),
        units_by_sector={"kommun_care": ("kommunens rehabenhet", "hemrehabiliteringen")},
        about=(
            "Hos oss arbetar fysioterapeuter och arbetsterapeuter tillsammans i ett team med stor "
            "kollegial gemenskap.",
            "Vi tar emot patienter med muskuloskeletala besvär, neurologiska sjukdomar och behov av "
            "rehabilitering efter operation.",
            "Du får regelbunden kollegial handledning och tid för fortbildning.",
        ),
        duties=(
            "bedöma, behandla och följa upp patienter med varierande rehabiliteringsbehov",
            "leda gruppträning och skolor för till exempel artros och balans",
            "förskriva hjälpmedel och ge råd om träning och egenvård",
            "dokumentera i patientjournalen enligt gällande riktlinjer",
            "samverka med läkare, arbetsterapeuter och sjuksköterskor",
        ),
        reqs=(
            "har svensk legitimation som fysioterapeut",
            "har god förmåga att motivera och skapa förtroende hos patienter",
            "har goda kunskaper i svenska",
        ),
        merits=(
            "erfarenhet av primärvård eller ortopedisk rehabilitering",
            "certifiering som artrosskolehandledare",
            "B-körkort",
        ),
        must=("Legitimation som sjukgymnast",),
        offers=("kollegial handledning", "elcykel i tjänsten"),
        depts=_ELDERCARE_DEPTS,
        experience=0.4,
    ),
    Profile(
        occupation="TPRY_Wze_q6x",
        count=3,
        sectors=(("region", 1), ("dental", 2)),
        noun="tandhygienist",
        titles=("Tandhygienist", "Legitimerad tandhygienist"),
        units=("vår klinik i centrum", "vår klinik"),
        units_by_sector={"region": ("folktandvårdskliniken", "Folktandvården i {town}")},
        public_workplace="Folktandvården {town}",
        about=(
            "Kliniken har sex behandlingsrum, modern digital röntgen och ett väl sammansvetsat team.",
            "Vi arbetar med barn, ungdomar och vuxna och har en stor andel förebyggande vård.",
            "Du får eget schema och tid för samverkan med tandläkare och tandsköterskor.",
        ),
        duties=(
            "undersöka, diagnostisera och behandla patienter med parodontal sjukdom",
            "arbeta förebyggande med information och motivation till god munhälsa",
            "ta röntgenbilder och utföra tandstensborttagning",
            "ansvara för egna patientflöden och revisioner",
            "delta i klinikens kvalitetsarbete",
        ),
        reqs=(
            "har svensk legitimation som tandhygienist",
            "har god kommunikativ förmåga",
            "är noggrann och har god hygienisk medvetenhet",
        ),
        merits=("erfarenhet av journalsystemet T4", "erfarenhet av barntandvård"),
        must=("Legitimation som tandhygienist",),
        nice=("Tandhygienistexamen",),
    ),
    Profile(
        occupation="xBo9_V9m_bfg",
        count=3,
        sectors=(("region", 2), ("psych", 1)),
        noun="psykolog",
        titles=("Psykolog", "Legitimerad psykolog"),
        units=(
            "barn- och ungdomspsykiatrin",
            "vuxenpsykiatriska mottagningen",
            "primärvårdens psykosociala team",
        ),
        units_by_sector={"psych": ("vår mottagning", "vårt behandlingsteam")},
        about=(
            "Mottagningen tar emot patienter med ångest, depression och neuropsykiatriska svårigheter.",
            "Vi har regelbundna behandlingskonferenser och extern handledning.",
            "Teamet består av psykologer, kuratorer, sjuksköterskor och läkare.",
        ),
        duties=(
            "genomföra psykologiska bedömningar och utredningar",
            "bedriva samtalsbehandling individuellt och i grupp, främst KBT",
            "delta i teamets behandlingskonferenser",
            "ge konsultation till andra yrkesgrupper",
            "dokumentera och följa upp behandlingsresultat",
        ),
        reqs=(
            "har svensk legitimation som psykolog",
            "har erfarenhet av utredning och behandling",
            "har god förmåga att skapa förtroendefulla relationer",
        ),
        merits=(
            "erfarenhet av neuropsykiatriska utredningar",
            "steg 1-utbildning i psykoterapi",
            "erfarenhet av internetbaserad KBT",
        ),
        must=("Legitimation som psykolog",),
    ),
    Profile(
        occupation="heGV_uHh_o8W",
        count=3,
        sectors=(("kommun_care", 2), ("region", 1)),
        noun="arbetsterapeut",
        titles=("Arbetsterapeut", "Legitimerad arbetsterapeut"),
        units=("kommunens hemrehabilitering", "rehabenheten"),
        units_by_sector={"region": ("geriatriska kliniken", "rehabiliteringskliniken")},
        about=(
            "Du blir en del av ett rehabteam som arbetar nära hemtjänsten och hemsjukvården.",
            "Vi arbetar utifrån ett rehabiliterande förhållningssätt där brukarens egna resurser tas "
            "till vara.",
            "Du planerar din egen arbetsdag och har tillgång till bil i tjänsten.",
        ),
        duties=(
            "göra aktivitetsbedömningar och sätta in åtgärder i hemmet",
            "förskriva och prova ut hjälpmedel",
            "handleda omvårdnadspersonal i förflyttningsteknik",
            "bedöma behov av bostadsanpassning",
            "dokumentera i journalsystemet och följa upp insatser",
        ),
        reqs=("har svensk legitimation som arbetsterapeut", "kan arbeta självständigt och strukturerat"),
        merits=("erfarenhet av arbete i kommunal hälso- och sjukvård", "erfarenhet av kognitiva hjälpmedel"),
        offers=("kollegial handledning", "tjänstebil"),
        license=_LIC_B,
        depts=_ELDERCARE_DEPTS,
    ),
    Profile(
        occupation="DEDi_wap_ntF",
        count=2,
        sectors=(("region", 2),),
        noun="barnmorska",
        titles=("Barnmorska", "Legitimerad barnmorska"),
        units=("förlossningen", "barnmorskemottagningen", "BB-avdelningen"),
        about=(
            "Förlossningen har omkring 2 500 förlossningar per år och ett nära samarbete med "
            "neonatalavdelningen.",
            "Vi arbetar med kontinuitet och trygghet för de blivande föräldrarna i fokus.",
        ),
        duties=(
            "ansvara för vården av födande kvinnor under förlossning",
            "genomföra hälsokontroller och samtal under graviditeten",
            "ge stöd och information till blivande föräldrar",
            "samarbeta med läkare, undersköterskor och neonatalteam",
            "delta i verksamhetens utvecklingsarbete",
        ),
        reqs=(
            "har svensk legitimation som barnmorska",
            "trivs i ett högt tempo och kan behålla lugnet",
            "har goda kunskaper i svenska",
        ),
        merits=("erfarenhet av förlossningsvård", "utbildning i ultraljud"),
        must=("Legitimation som barnmorska",),
        hours="mixed",
    ),
    # ---------------------------------------------------------------- Data/IT
    Profile(
        occupation="rQds_YGd_quU",
        count=6,
        sectors=(("it", 1),),
        places="city",
        noun="mjukvaruutvecklare",
        titles=("Mjukvaruutvecklare", "Systemutvecklare", "Utvecklare", "Senior mjukvaruutvecklare"),
        units=(
            "vårt produktteam",
            "teamet för betalningslösningar",
            "vårt kontor i {town}",
            "utvecklingsavdelningen",
            "teamet som bygger vår nya plattform",
        ),
        about=(
            "Teamet består av sex utvecklare, en UX-designer och en produktägare och arbetar i "
            "tvåveckorssprintar.",
            "Vi bygger våra tjänster i molnet med fokus på automatiserade tester och kontinuerliga "
            "leveranser.",
            "Du får stort inflytande över arkitektur och teknikval.",
            "Vi har en utvecklingskultur med kodgranskning, parprogrammering och gemensamma tekniska forum.",
        ),
        duties=(
            "designa, utveckla och underhålla funktioner i våra webbtjänster",
            "skriva automatiserade tester och granska kollegors kod",
            "arbeta nära produktägare och UX för att förstå användarnas behov",
            "förbättra prestanda, säkerhet och driftsäkerhet i befintliga system",
            "delta i arkitekturdiskussioner och tekniska vägval",
            "bygga och underhålla flöden för kontinuerlig integration och leverans",
        ),
        reqs=(
            "har flera års erfarenhet av systemutveckling i Java, C# eller Python",
            "har god förståelse för objektorienterad design och testdriven utveckling",
            "har arbetat med versionshantering i Git",
            "har högskoleutbildning inom datavetenskap eller motsvarande erfarenhet",
        ),
        merits=(
            "erfarenhet av molntjänster som Azure eller AWS",
            "kunskap om Docker och Kubernetes",
            "erfarenhet av agila arbetssätt som Scrum",
        ),
        must=("Systemutveckling", "Java, programmeringsspråk"),
        nice=(
            "Python, programmeringsspråk",
            "C#.NET, programmeringsspråk",
            "SQL, programmeringsspråk",
            "Scrum, systemutvecklingsmetod",
            "Mjukvaruutveckling",
        ),
        experience=0.8,
        english=3,
        en=EnglishText(
            titles=("Software Developer", "Software Engineer", "Senior Software Engineer"),
            noun="software engineer",
            units=(
                "our product team",
                "the payments team",
                "our office in {town}",
                "the team building our new platform",
            ),
            about=(
                "The team consists of six engineers, a designer and a product owner working in two-week "
                "sprints.",
                "We run our services in the cloud with a strong focus on automated testing and continuous "
                "delivery.",
                "You will have real influence over architecture and technology choices.",
            ),
            duties=(
                "design, build and maintain features in our web services",
                "write automated tests and review your colleagues' code",
                "work closely with product and design to understand user needs",
                "improve performance, security and reliability of existing systems",
                "take part in architecture discussions and technical decisions",
            ),
            reqs=(
                "have several years of experience building software in Java, C# or Python",
                "are comfortable with object-oriented design and test-driven development",
                "use Git daily and care about clean, readable code",
                "communicate well in English; Swedish is not required",
            ),
            merits=(
                "experience with Azure or AWS",
                "knowledge of Docker and Kubernetes",
                "experience working in agile teams",
            ),
        ),
    ),
    Profile(
        occupation="7wdX_4rv_33z",
        count=4,
        sectors=(("it", 1),),
        places="city",
        noun="backendutvecklare",
        titles=("Backendutvecklare", "Backend-utvecklare", "Senior backendutvecklare"),
        units=("vårt plattformsteam", "teamet för integrationer", "vårt kontor i {town}"),
        about=(
            "Våra tjänster hanterar miljontals transaktioner per dag och är byggda som mikrotjänster i "
            "Kubernetes.",
            "Du ingår i ett team som äger sina tjänster hela vägen från idé till drift.",
            "Vi använder Kotlin, Java och PostgreSQL och driftar allt i publikt moln.",
        ),
        duties=(
            "utveckla och vidareutveckla API:er och mikrotjänster",
            "designa datamodeller och optimera databasfrågor",
            "bygga integrationer mot externa partner",
            "övervaka tjänsterna i drift och delta i beredskap",
            "skriva tester och dokumentation",
        ),
        reqs=(
            "har minst tre års erfarenhet av backendutveckling i Java, Kotlin eller Go",
            "har god kunskap om relationsdatabaser och SQL",
            "har erfarenhet av att bygga och drifta REST-API:er",
        ),
        merits=(
            "erfarenhet av eventdrivna arkitekturer och Kafka",
            "erfarenhet av Kubernetes och infrastruktur som kod",
            "kunskap om säkerhet i webbapplikationer",
        ),
        must=("Java, programmeringsspråk", "SQL, programmeringsspråk"),
        nice=("PostgreSQL, databashanterare", "Linux, operativsystem", "Systemutveckling"),
        experience=0.9,
        english=1,
        en=EnglishText(
            titles=("Backend Developer", "Senior Backend Engineer"),
            noun="backend engineer",
            units=("our platform team", "the integrations team"),
            about=(
                "Our services handle millions of transactions a day and run as microservices on Kubernetes.",
                "You will join a team that owns its services from idea to production.",
            ),
            duties=(
                "build and evolve APIs and microservices",
                "design data models and tune database queries",
                "build integrations with external partners",
                "monitor services in production and share on-call duties",
            ),
            reqs=(
                "have at least three years of backend development in Java, Kotlin or Go",
                "know relational databases and SQL well",
                "have built and operated REST APIs",
            ),
            merits=(
                "experience with event-driven architectures and Kafka",
                "infrastructure as code experience",
            ),
        ),
    ),
    Profile(
        occupation="GDHs_eoz_uKx",
        count=4,
        sectors=(("it", 1),),
        places="city",
        noun="frontendutvecklare",
        titles=("Frontendutvecklare", "Frontend-utvecklare", "Webbutvecklare med frontendfokus"),
        units=("vårt produktteam", "teamet för kundportalen", "vårt kontor i {town}"),
        about=(
            "Vi bygger tillgängliga och snabba webbgränssnitt som används av både privatpersoner och "
            "företag.",
            "Du arbetar nära våra UX-designer och backendutvecklare i ett tvärfunktionellt team.",
            "Vi använder React och TypeScript och har ett gemensamt designsystem.",
        ),
        duties=(
            "utveckla användargränssnitt i React och TypeScript",
            "bygga och förvalta komponenter i vårt designsystem",
            "säkerställa tillgänglighet och god prestanda i alla webbläsare",
            "skriva enhetstester och end-to-end-tester",
            "samarbeta med designer för att förverkliga nya funktioner",
        ),
        reqs=(
            "har erfarenhet av modern frontendutveckling med JavaScript eller TypeScript",
            "har god kunskap om HTML och CSS",
            "har förståelse för tillgänglighet och responsiv design",
        ),
        merits=(
            "erfarenhet av React eller Vue",
            "erfarenhet av testverktyg som Playwright eller Cypress",
            "intresse för UX och interaktionsdesign",
        ),
        must=("JavaScript, programmeringsspråk",),
        nice=("HTML, programmeringsspråk", "CSS, programmeringsspråk"),
        experience=0.7,
        english=1,
        en=EnglishText(
            titles=("Frontend Developer", "Frontend Engineer"),
            noun="frontend developer",
            units=("our product team", "the customer portal team"),
            about=(
                "We build accessible, fast web interfaces used by both consumers and businesses.",
                "We use React and TypeScript and share a common design system.",
            ),
            duties=(
                "build user interfaces in React and TypeScript",
                "develop and maintain components in our design system",
                "make sure everything is accessible and fast in every browser",
                "write unit and end-to-end tests",
            ),
            reqs=(
                "have solid experience with JavaScript or TypeScript",
                "know HTML and CSS well",
                "understand accessibility and responsive design",
            ),
            merits=("experience with Playwright or Cypress", "an interest in UX and interaction design"),
        ),
    ),
    Profile(
        occupation="FHwx_yXu_FAd",
        count=3,
        sectors=(("it", 2), ("region", 1)),
        places="city",
        noun="IT-säkerhetsanalytiker",
        titles=("IT-säkerhetsanalytiker", "Informationssäkerhetsanalytiker", "Säkerhetsanalytiker"),
        units=("vårt Security Operations Center", "säkerhetsteamet", "IT-avdelningen"),
        about=(
            "Vi övervakar och skyddar kritiska system åt kunder inom energi, vård och finans.",
            "Teamet arbetar med incidenthantering, sårbarhetsanalys och säkerhetsarkitektur.",
            "Du får möjlighet att certifiera dig och fördjupa dig inom det du brinner för.",
        ),
        duties=(
            "analysera larm och händelser i vår SIEM-miljö",
            "leda och dokumentera incidenthantering",
            "genomföra sårbarhetsskanningar och följa upp åtgärder",
            "ta fram riktlinjer och rutiner för informationssäkerhet",
            "utbilda kollegor i säker hantering av information",
        ),
        reqs=(
            "har erfarenhet av IT-säkerhetsarbete eller IT-drift med säkerhetsfokus",
            "har god förståelse för nätverk, brandväggar och operativsystem",
            "kan hantera känslig information med gott omdöme",
        ),
        merits=(
            "certifieringar som CISSP, CEH eller Security+",
            "erfarenhet av ISO 27001",
            "kunskap om skriptning i Python eller PowerShell",
        ),
        must=("Brandväggar",),
        nice=("Linux, operativsystem", "Python, programmeringsspråk", "Nätverk, övervakning"),
        notes=("Tjänsten är placerad i säkerhetsklass och säkerhetsprövning genomförs före anställning.",),
        experience=0.8,
        english=1,
        en=EnglishText(
            titles=("Security Analyst", "SOC Analyst"),
            noun="security analyst",
            units=("our Security Operations Center", "the security team"),
            about=(
                "We monitor and protect critical systems for customers in energy, healthcare and finance.",
            ),
            duties=(
                "analyse alerts and events in our SIEM",
                "lead and document incident response",
                "run vulnerability scans and follow up on remediation",
                "write security guidelines and routines",
            ),
            reqs=(
                "have experience in IT security or IT operations with a security focus",
                "understand networks, firewalls and operating systems",
            ),
            merits=("certifications such as CISSP, CEH or Security+", "scripting in Python or PowerShell"),
        ),
    ),
    Profile(
        occupation="nTwt_VnS_Z2x",
        count=5,
        sectors=(("it", 2), ("kommun_tech", 2), ("region", 1)),
        noun="IT-supporttekniker",
        titles=("IT-supporttekniker", "Supporttekniker", "IT-tekniker"),
        units=("vår servicedesk", "IT-avdelningen", "vårt supportteam"),
        units_by_sector={"kommun_tech": ("kommunens IT-enhet", "servicedesken")},
        depts=("Digitaliseringsavdelningen",),
        about=(
            "Vi ger support till cirka 3 000 användare i verksamheter som skolor, vård och administration.",
            "Servicedesken är den första kontakten för användare med frågor om datorer, mobiler och system.",
            "Du arbetar i ett team med korta beslutsvägar och god sammanhållning.",
        ),
        duties=(
            "ta emot och lösa ärenden via telefon, chatt och ärendesystem",
            "installera och konfigurera datorer, mobiler och skrivare",
            "hantera behörigheter och konton i Active Directory",
            "ge användarna handledning i vanliga program",
            "dokumentera lösningar i vår kunskapsdatabas",
        ),
        reqs=(
            "har erfarenhet av IT-support eller motsvarande utbildning",
            "har god kunskap om Windows och Microsoft 365",
            "är serviceinriktad och pedagogisk i kontakten med användare",
        ),
        merits=(
            "ITIL-certifiering",
            "erfarenhet av Intune eller liknande verktyg för klienthantering",
            "B-körkort",
        ),
        must=("Användarsupport, mjukvara",),
        nice=("Användarsupport, hårdvara", "ITIL Foundation", "Active Directory, programmeringsverktyg"),
        experience=0.4,
    ),
    Profile(
        occupation="Lxas_8K9_W1o",
        count=4,
        sectors=(("it", 2), ("kommun_tech", 1), ("region", 1)),
        noun="systemadministratör",
        titles=("Systemadministratör", "Drifttekniker/systemadministratör", "Systemtekniker"),
        units=("driftteamet", "vår driftavdelning", "IT-infrastrukturgruppen"),
        depts=("Digitaliseringsavdelningen",),
        about=(
            "Vi ansvarar för servrar, lagring, nätverk och molntjänster för hela organisationen.",
            "Miljön består av både lokala datacenter och tjänster i Azure.",
            "Teamet har beredskap enligt rullande schema, vilket ersätts enligt avtal.",
        ),
        duties=(
            "drifta och övervaka servrar och tjänster i Windows- och Linuxmiljö",
            "automatisera återkommande uppgifter med skript",
            "arbeta med patchhantering, säkerhetskopiering och återläsning",
            "delta i projekt för migrering till molnet",
            "felsöka och lösa incidenter tillsammans med leverantörer",
        ),
        reqs=(
            "har flera års erfarenhet av drift av Windows Server eller Linux",
            "har god förståelse för nätverk, DNS och behörighetshantering",
            "har erfarenhet av skriptning i PowerShell eller Bash",
        ),
        merits=("erfarenhet av VMware och Azure", "certifieringar inom Microsoft eller Red Hat"),
        must=("Windows Server, operativsystem", "Linux, operativsystem"),
        nice=("Active Directory, programmeringsverktyg", "Driftansvar, data"),
        experience=0.8,
    ),
    Profile(
        occupation="ziUj_67V_Yk4",
        count=3,
        sectors=(("it", 2), ("corporate", 1)),
        places="city",
        noun="data scientist",
        titles=("Data scientist", "Senior data scientist"),
        units=("vårt analysteam", "avdelningen för affärsutveckling", "teamet för AI och analys"),
        about=(
            "Vi använder data för att förbättra prognoser, prissättning och kundupplevelse.",
            "Teamet består av dataingenjörer, analytiker och data scientists som arbetar nära verksamheten.",
            "Vi har en modern dataplattform i molnet och korta steg från idé till produktion.",
        ),
        duties=(
            "utveckla och utvärdera statistiska modeller och maskininlärningsmodeller",
            "analysera stora datamängder och presentera insikter för verksamheten",
            "ta modeller i produktion tillsammans med dataingenjörer",
            "följa upp modellernas prestanda över tid",
            "bidra till en datadriven kultur i organisationen",
        ),
        reqs=(
            "har en akademisk examen inom statistik, matematik, datavetenskap eller liknande",
            "har goda kunskaper i Python och SQL",
            "kan förklara komplexa resultat på ett begripligt sätt",
        ),
        merits=(
            "erfarenhet av tidsserieprognoser",
            "erfarenhet av MLOps och molnplattformar",
            "doktorsexamen i ett kvantitativt ämne",
        ),
        must=("Python, programmeringsspråk", "SQL, programmeringsspråk"),
        nice=("Matematisk statistik", "Tillämpad statistik"),
        roles=("Analyschef", "Teamchef", "Chief Data Officer"),
        experience=0.7,
        english=1,
        en=EnglishText(
            titles=("Data Scientist", "Senior Data Scientist"),
            noun="data scientist",
            units=("our analytics team", "the AI and analytics team"),
            about=(
                "We use data to improve forecasting, pricing and customer experience.",
                "We have a modern cloud data platform and short paths from idea to production.",
            ),
            duties=(
                "develop and evaluate statistical and machine learning models",
                "analyse large datasets and present insights to the business",
                "put models into production together with data engineers",
                "monitor model performance over time",
            ),
            reqs=(
                "hold a degree in statistics, mathematics, computer science or similar",
                "are fluent in Python and SQL",
                "can explain complex results in plain language",
            ),
            merits=("experience with time-series forecasting", "MLOps experience"),
        ),
    ),
    Profile(
        occupation="843H_Mp1_EVL",
        count=3,
        sectors=(("it", 1),),
        places="city",
        noun="testare",
        titles=("Mjukvarutestare", "Testare", "Testautomatiserare"),
        units=("vårt kvalitetsteam", "ett av våra utvecklingsteam", "vårt kontor i {town}"),
        about=(
            "Vi levererar ny funktionalitet varannan vecka och kvalitet är allas ansvar.",
            "Du arbetar tätt ihop med utvecklare och produktägare i ett agilt team.",
        ),
        duties=(
            "planera och genomföra tester av nya funktioner",
            "bygga och förvalta automatiserade testsviter",
            "rapportera och följa upp buggar",
            "delta i kravarbetet och bidra med ett testbarhetsperspektiv",
            "utveckla teamets teststrategi",
        ),
        reqs=(
            "har erfarenhet av systemtest eller testautomatisering",
            "har ett strukturerat och analytiskt arbetssätt",
            "kommunicerar väl i tal och skrift på svenska och engelska",
        ),
        merits=(
            "ISTQB-certifiering",
            "erfarenhet av Selenium, Playwright eller liknande",
            "grundläggande programmeringskunskaper",
        ),
        must=("Testning/verifiering, mjukvara",),
        nice=("Testautomatisering", "Systemtestning"),
        english=1,
        en=EnglishText(
            titles=("QA Engineer", "Test Automation Engineer"),
            noun="QA engineer",
            units=("one of our development teams", "our quality team"),
            about=("We ship new functionality every other week and quality is everyone's responsibility.",),
            duties=(
                "plan and run tests of new features",
                "build and maintain automated test suites",
                "report and follow up on bugs",
                "help shape the team's test strategy",
            ),
            reqs=(
                "have experience with system testing or test automation",
                "work in a structured, analytical way",
            ),
            merits=("ISTQB certification", "experience with Playwright or Selenium"),
        ),
    ),
    # ---------------------------------------------------------------- Pedagogik
    Profile(
        occupation="rUcW_z9R_Qsv",
        count=6,
        sectors=(("kommun_school", 5), ("school_private", 1)),
        noun="förskollärare",
        titles=("Förskollärare", "Legitimerad förskollärare"),
        units=(
            "förskolan Solrosen",
            "förskolan Tallbacken",
            "en av våra förskolor",
            "förskolan Ekorren",
            "förskolan Lärkan",
        ),
        about=(
            "Förskolan har fyra avdelningar och en stor gård med närhet till skog och lek.",
            "Vi arbetar utifrån läroplanen med fokus på språk, matematik och hållbar utveckling.",
            "Arbetslaget består av förskollärare och barnskötare som planerar verksamheten tillsammans.",
            "Vi använder digitala verktyg som en naturlig del av undervisningen.",
        ),
        duties=(
            "planera, genomföra och utvärdera undervisningen utifrån läroplanen",
            "dokumentera och följa upp barnens utveckling och lärande",
            "leda det pedagogiska arbetet i arbetslaget",
            "hålla utvecklingssamtal och ha en nära dialog med vårdnadshavare",
            "skapa en trygg och stimulerande miljö för barnen",
        ),
        reqs=(
            "har förskollärarlegitimation",
            "har god förmåga att leda och inspirera barn i grupp",
            "har goda kunskaper i svenska i tal och skrift",
        ),
        merits=(
            "erfarenhet av arbete med barn i behov av särskilt stöd",
            "erfarenhet av digitala verktyg i undervisningen",
            "kunskap i teckenspråk som stöd",
        ),
        must=("Förskollärarlegitimation",),
        nice=("Specialpedagogik",),
        depts=_PRESCHOOL_DEPTS,
        hours="mixed",
        temp=0.2,
        experience=0.3,
        traits=("lyhörd", "engagerad", "flexibel", "trygg", "kreativ"),
    ),
    Profile(
        occupation="VZoJ_4oe_xyR",
        count=5,
        sectors=(("kommun_school", 4), ("school_private", 1)),
        noun="lärare i årskurs 1–6",
        titles=("Lärare i årskurs 1–6", "Grundlärare F–3", "Grundlärare 4–6", "Legitimerad lärare"),
        units=("Björkskolan", "Centrumskolan", "en av våra F–6-skolor", "Ängsskolan"),
        about=(
            "Skolan har omkring 350 elever från förskoleklass till årskurs 6 och ett nära samarbete med "
            "fritidshemmet.",
            "Vi arbetar i arbetslag med gemensam planeringstid och stöd från elevhälsan.",
            "Skolan har en lugn lärmiljö och ett tydligt fokus på studiero.",
        ),
        duties=(
            "planera, genomföra och utvärdera undervisning i svenska, matematik och SO",
            "vara mentor för en klass och ha kontakt med vårdnadshavare",
            "bedöma och dokumentera elevernas kunskapsutveckling",
            "samverka med kollegor, fritidshem och elevhälsa",
            "anpassa undervisningen efter elevernas olika behov",
        ),
        reqs=(
            "har lärarlegitimation med behörighet för årskurs 1–6",
            "har god förmåga att skapa struktur och trygghet i klassrummet",
            "har en god samarbetsförmåga",
        ),
        merits=(
            "erfarenhet av språkutvecklande arbetssätt",
            "behörighet i engelska",
            "erfarenhet av arbete med extra anpassningar",
        ),
        must=("Lärarlegitimation",),
        depts=_SCHOOL_DEPTS,
        temp=0.2,
        experience=0.3,
    ),
    Profile(
        occupation="wypk_7S7_snv",
        count=4,
        sectors=(("kommun_school", 3), ("school_private", 1)),
        noun="ämneslärare i årskurs 7–9",
        titles=(
            "Lärare i matematik och NO, årskurs 7–9",
            "Ämneslärare i engelska 7–9",
            "Lärare i svenska och SO, högstadiet",
            "Ämneslärare 7–9",
        ),
        units=("högstadiet på Nordskolan", "Kvarnbackens skola", "en av våra 7–9-skolor"),
        about=(
            "Skolan har cirka 450 elever i årskurs 7–9 och ett engagerat kollegium.",
            "Vi arbetar ämnesövergripande och har gemensamma temadagar varje termin.",
        ),
        duties=(
            "undervisa i dina ämnen i årskurs 7–9",
            "planera och bedöma undervisningen i samarbete med ämneskollegor",
            "vara mentor för en grupp elever",
            "delta i ämnesutveckling och kollegialt lärande",
            "ha regelbunden kontakt med vårdnadshavare",
        ),
        reqs=(
            "har lärarlegitimation med behörighet i minst ett av ämnena",
            "har god ledarförmåga i klassrummet",
            "är tydlig och har höga förväntningar på eleverna",
        ),
        merits=("behörighet i ytterligare ämnen", "erfarenhet av digitala lärplattformar"),
        must=("Lärarlegitimation",),
        depts=_SCHOOL_DEPTS,
        temp=0.25,
    ),
    Profile(
        occupation="rM7G_ge7_XhP",
        count=4,
        sectors=(("kommun_school", 3), ("school_private", 1)),
        noun="barnskötare",
        titles=("Barnskötare", "Barnskötare, heltid"),
        units=("förskolan Solrosen", "förskolan Blåklinten", "en av våra förskolor i {town}"),
        about=(
            "Förskolan har tre avdelningar med barn i åldrarna ett till fem år.",
            "Vi har mycket utevistelse och nära till naturen.",
            "Du ingår i ett arbetslag med förskollärare och barnskötare.",
        ),
        duties=(
            "stödja barnen i lek, lärande och vardagsrutiner",
            "bidra i planeringen av den pedagogiska verksamheten",
            "ansvara för omsorgen kring måltider, vila och hygien",
            "dokumentera verksamheten tillsammans med kollegorna",
            "ha den dagliga kontakten med vårdnadshavare vid lämning och hämtning",
        ),
        reqs=(
            "har utbildning från barn- och fritidsprogrammet eller motsvarande",
            "har erfarenhet av arbete med barn",
            "har god svenska i tal och skrift",
        ),
        merits=(
            "erfarenhet av alternativ och kompletterande kommunikation",
            "kunskap i andra språk som talas i området",
        ),
        hours="mixed",
        temp=0.3,
        on_call=0.1,
        experience=0.3,
        depts=_PRESCHOOL_DEPTS,
    ),
    Profile(
        occupation="Sbzf_iBA_MAS",
        count=3,
        sectors=(("kommun_school", 1),),
        noun="elevassistent",
        titles=("Elevassistent",),
        units=("Ängsskolan", "en av våra grundskolor", "anpassade grundskolan"),
        about=(
            "Du kommer främst att stödja en elev som behöver extra stöd i skolvardagen.",
            "Skolan har ett nära samarbete med elevhälsan och specialpedagog.",
        ),
        duties=(
            "stödja elever i undervisningen och under raster",
            "hjälpa eleven att skapa struktur i skoldagen",
            "samarbeta med lärare och specialpedagog kring anpassningar",
            "följa med på utflykter och aktiviteter",
        ),
        reqs=(
            "har erfarenhet av att arbeta med barn eller ungdomar",
            "är lugn och tydlig i ditt bemötande",
            "har lätt för att samarbeta",
        ),
        merits=(
            "utbildning inom barn och fritid eller pedagogik",
            "erfarenhet av elever med neuropsykiatriska funktionsnedsättningar",
        ),
        nice=("ADHD, specialpedagogik", "Autismspektrumstörning, specialpedagogik"),
        hours="mixed",
        temp=0.4,
        experience=0.3,
        depts=_SCHOOL_DEPTS,
    ),
    Profile(
        occupation="86sy_hBf_exW",
        count=2,
        sectors=(("kommun_school", 1), ("school_private", 1)),
        noun="gymnasielärare",
        titles=(
            "Gymnasielärare i samhällskunskap och historia",
            "Gymnasielärare i matematik och fysik",
            "Lärare i gymnasieskolan",
        ),
        units=("gymnasieskolan", "vårt gymnasium i {town}"),
        about=(
            "Skolan erbjuder både högskoleförberedande program och yrkesprogram.",
            "Vi har en tydlig struktur för mentorskap och elevhälsa.",
        ),
        duties=(
            "undervisa i dina ämnen på gymnasienivå",
            "planera, bedöma och betygsätta enligt ämnesplanerna",
            "vara mentor för en klass",
            "delta i ämneslagets utvecklingsarbete",
        ),
        reqs=(
            "har ämneslärarexamen och lärarlegitimation för gymnasieskolan",
            "har god förmåga att motivera elever",
        ),
        merits=("erfarenhet av undervisning på flera program", "erfarenhet av digitala prov"),
        must=("Lärarlegitimation",),
        depts=("Gymnasieförvaltningen", "Utbildningsförvaltningen"),
    ),
    # ---------------------------------------------------------------- Försäljning, inköp, marknadsföring
    Profile(
        occupation="jsUx_ngg_Kz2",
        count=6,
        sectors=(("sales", 5), ("corporate", 1)),
        noun="innesäljare",
        titles=("Innesäljare", "Innesäljare B2B", "Säljare, innesälj"),
        units=("vårt säljteam", "vårt kontor i {town}", "kundteamet"),
        about=(
            "Du ingår i ett team på tolv säljare som arbetar med både nya och befintliga kunder.",
            "Vi ger dig leads, verktyg och en gedigen säljutbildning.",
            "Hos oss finns tydliga karriärvägar vidare mot key account eller teamledare.",
        ),
        duties=(
            "kontakta nya och befintliga företagskunder via telefon och e-post",
            "boka och genomföra digitala kundmöten",
            "ta fram offerter och följa upp affärer",
            "registrera och uppdatera kundinformation i CRM-systemet",
            "arbeta mot individuella och gemensamma säljmål",
        ),
        reqs=(
            "har erfarenhet av försäljning, gärna mot företag",
            "är målinriktad och motiveras av att nå resultat",
            "kommunicerar obehindrat på svenska i tal och skrift",
        ),
        merits=(
            "erfarenhet av CRM-system som Salesforce eller Lime",
            "eftergymnasial utbildning inom försäljning eller marknadsföring",
        ),
        must=("Försäljningsvana, telefonförsäljning",),
        nice=("Försäljningsvana, uppsökande försäljning företag",),
        pay="mixed",
        experience=0.4,
        places="city",
        traits=("driven", "social", "tävlingsinriktad", "positiv", "självgående"),
    ),
    Profile(
        occupation="ek9W_CmD_y2M",
        count=5,
        sectors=(("retail", 1),),
        noun="butikssäljare",
        titles=("Butikssäljare", "Butiksmedarbetare", "Säljare"),
        units=("vår butik i {town}", "butiken på Storgatan", "vår butik i köpcentrumet"),
        about=(
            "Butiken har ett brett sortiment och många återkommande kunder.",
            "Vi är ett litet team där alla hjälps åt med allt från kassa till skyltning.",
            "Du får produktutbildningar så att du kan ge kunderna riktigt bra råd.",
        ),
        duties=(
            "ge kunderna service och personlig rådgivning",
            "arbeta i kassan och hantera returer",
            "ta emot leveranser och fylla på varor",
            "hålla butiken ren, inbjudande och välskyltad",
            "bidra till butikens försäljningsmål",
        ),
        reqs=(
            "har erfarenhet av försäljning eller kundservice",
            "är serviceinriktad och tycker om att möta människor",
            "kan arbeta kvällar och helger",
        ),
        merits=("erfarenhet från fackhandel", "intresse för produkterna vi säljer", "kunskap i fler språk"),
        must=("Butiksvana, fackhandel",),
        nice=("Kassavana",),
        hours="mixed",
        on_call=0.2,
        experience=0.4,
        traits=("serviceinriktad", "positiv", "social", "ansvarstagande"),
    ),
    Profile(
        occupation="pBhS_6fg_727",
        count=5,
        sectors=(("grocery", 1),),
        noun="butiksmedarbetare",
        titles=("Butiksmedarbetare", "Butikssäljare, dagligvaror", "Medarbetare inom färskvaror"),
        units=("vår butik i {town}", "färskvaruavdelningen", "kassan och servicedisken", "frukt och grönt"),
        about=(
            "Butiken är ortens mötesplats med öppet alla dagar i veckan.",
            "Vi lägger stor vikt vid färskhet, service och ett trevligt bemötande.",
        ),
        duties=(
            "fylla på varor och sköta exponeringen på avdelningen",
            "arbeta i kassan och vid servicedisken",
            "ta emot leveranser och kontrollera datummärkning",
            "hjälpa kunderna att hitta rätt",
            "följa rutiner för egenkontroll och livsmedelshygien",
        ),
        reqs=(
            "har erfarenhet av butiksarbete eller annat serviceyrke",
            "är flexibel och kan arbeta kvällar och helger",
            "tycker om ett högt tempo",
        ),
        merits=("erfarenhet från dagligvaruhandeln", "utbildning i livsmedelshygien"),
        must=("Butiksvana, dagligvaror",),
        nice=("Kassavana", "Livsmedelshygien"),
        hours="mixed",
        on_call=0.3,
        experience=0.3,
    ),
    Profile(
        occupation="KVVN_sqH_Wpz",
        count=3,
        sectors=(("corporate", 2), ("kommun_tech", 1)),
        noun="inköpare",
        titles=("Inköpare", "Strategisk inköpare", "Upphandlare"),
        units=("inköpsavdelningen", "vår inköpsfunktion", "upphandlingsenheten"),
        depts=("Upphandlingsenheten",),
        about=(
            "Inköpsavdelningen ansvarar för ett inköpsvärde på drygt en miljard kronor per år.",
            "Du arbetar nära produktion, logistik och ekonomi.",
        ),
        duties=(
            "förhandla avtal och villkor med leverantörer",
            "följa upp leverantörers kvalitet, leveransprecision och hållbarhetsarbete",
            "analysera marknaden och identifiera nya leverantörer",
            "genomföra upphandlingar enligt gällande regelverk",
            "arbeta med kostnadsbesparingar och riskminimering",
        ),
        reqs=(
            "har högskoleutbildning inom ekonomi, logistik eller teknik",
            "har erfarenhet av inköp eller upphandling",
            "är en skicklig förhandlare",
        ),
        merits=(
            "kunskap om lagen om offentlig upphandling",
            "erfarenhet av affärssystemet SAP",
            "goda kunskaper i engelska",
        ),
        must=("Inköpsvana",),
        nice=("Upphandlingsbestämmelser", "SAP R/3, affärssystem"),
        roles=("Inköpschef", "Upphandlingschef"),
        experience=0.8,
    ),
    Profile(
        occupation="WCma_2oa_gyZ",
        count=3,
        sectors=(("corporate", 2), ("media", 1)),
        places="city",
        noun="marknadsförare",
        titles=("Marknadsförare", "Digital marknadsförare", "Marknadskoordinator"),
        units=("marknadsavdelningen", "vårt marknadsteam", "vårt kontor i {town}"),
        about=(
            "Marknadsteamet ansvarar för varumärke, kampanjer och digitala kanaler.",
            "Vi arbetar datadrivet och följer upp allt vi gör.",
        ),
        duties=(
            "planera och genomföra kampanjer i digitala och sociala kanaler",
            "ta fram innehåll till webb, nyhetsbrev och sociala medier",
            "följa upp och analysera resultat med verktyg som Google Analytics",
            "samarbeta med byråer och interna beställare",
            "ansvara för marknadsplanen för ett av våra varumärken",
        ),
        reqs=(
            "har utbildning inom marknadsföring eller kommunikation",
            "har erfarenhet av digital marknadsföring",
            "skriver välformulerat på svenska och engelska",
        ),
        merits=("erfarenhet av sökordsoptimering", "kunskap i Adobe-paketet"),
        must=("Digital marknadsföring/Onlinemarknadsföring",),
        nice=(
            "Google Analytics",
            "Sökmotoroptimering/SEM, Sökmotormarknadsföring",
            "Marknadsföring/marknadskommunikation",
        ),
        roles=("Marknadschef", "Kommunikationschef"),
        english=1,
        en=EnglishText(
            titles=("Digital Marketing Specialist", "Marketing Coordinator"),
            noun="digital marketer",
            units=("our marketing team",),
            about=("Our marketing team owns brand, campaigns and digital channels across the Nordics.",),
            duties=(
                "plan and run campaigns in digital and social channels",
                "create content for web, newsletters and social media",
                "measure and analyse results using tools like Google Analytics",
                "work with agencies and internal stakeholders",
            ),
            reqs=(
                "have a degree in marketing or communications",
                "have hands-on experience of digital marketing",
            ),
            merits=("SEO experience", "Scandinavian language skills"),
        ),
    ),
    # ---------------------------------------------------------------- Administration, ekonomi, juridik
    Profile(
        occupation="BK8D_hZe_dtk",
        count=4,
        sectors=(("office", 2), ("corporate", 1), ("kommun_tech", 1)),
        noun="ekonomiassistent",
        titles=("Ekonomiassistent", "Ekonomiassistent med fokus på reskontra", "Ekonomiadministratör"),
        units=("ekonomiavdelningen", "vårt ekonomiteam", "vårt kontor i {town}"),
        depts=("Ekonomiavdelningen",),
        about=(
            "Ekonomiavdelningen består av sju personer och sköter redovisning, lön och fakturering.",
            "Vi arbetar i ett modernt affärssystem med hög grad av automatisering.",
        ),
        duties=(
            "hantera leverantörs- och kundreskontra",
            "bokföra löpande verifikationer och stämma av konton",
            "sköta fakturering och betalningspåminnelser",
            "bistå vid månads- och årsbokslut",
            "besvara frågor från leverantörer och kunder",
        ),
        reqs=(
            "har gymnasie- eller eftergymnasial utbildning inom ekonomi",
            "har erfarenhet av löpande bokföring",
            "är noggrann och strukturerad",
        ),
        merits=("erfarenhet av Fortnox eller Visma", "goda kunskaper i Excel"),
        must=("Bokföringsvana", "Reskontrabokföring"),
        nice=("Fortnox, affärssystem", "Visma SPCS, redovisningssystem", "MS Excel"),
        roles=("Ekonomichef", "Redovisningschef", "Teamledare"),
    ),
    Profile(
        occupation="8N18_sGB_X4M",
        count=4,
        sectors=(("office", 3), ("corporate", 1)),
        noun="redovisningsekonom",
        titles=("Redovisningsekonom", "Redovisningskonsult", "Erfaren redovisningsekonom"),
        units=("vår byrå i {town}", "redovisningsteamet", "ekonomiavdelningen"),
        about=(
            "Du får en egen kundportfölj med företag i olika branscher.",
            "Vi arbetar digitalt och har flera kunder som är helt papperslösa.",
        ),
        duties=(
            "ansvara för löpande redovisning åt en egen kundstock",
            "upprätta månadsrapporter, bokslut och årsredovisningar",
            "sköta moms- och skattedeklarationer",
            "ge kunderna råd i redovisnings- och skattefrågor",
            "delta i utvecklingen av byråns digitala arbetssätt",
        ),
        reqs=(
            "har högskoleutbildning inom ekonomi med inriktning redovisning",
            "har minst tre års erfarenhet av redovisning",
            "är serviceinriktad och van vid kundkontakt",
        ),
        merits=("auktorisation som redovisningskonsult", "erfarenhet av Fortnox, Visma och Excel"),
        must=("Bokslut", "Momsredovisning"),
        nice=("Fortnox, affärssystem", "Externredovisning"),
        experience=0.9,
    ),
    Profile(
        occupation="GrZU_ofe_QAx",
        count=3,
        sectors=(("corporate", 1),),
        noun="controller",
        titles=("Controller", "Business controller", "Affärscontroller"),
        units=("ekonomifunktionen", "vår ekonomiavdelning", "affärsområdet Industri"),
        about=(
            "Du rapporterar till ekonomichefen och arbetar nära ledningsgruppen.",
            "Vi befinner oss i en expansiv fas med förvärv och nya marknader.",
        ),
        duties=(
            "ansvara för budget, prognoser och månadsuppföljning",
            "analysera utfall och ta fram beslutsunderlag",
            "utveckla rapportering och nyckeltal",
            "stödja chefer i ekonomiska frågor",
            "delta i bokslutsarbetet",
        ),
        reqs=(
            "har civilekonomexamen eller motsvarande",
            "har några års erfarenhet som controller eller revisor",
            "har mycket goda kunskaper i Excel",
        ),
        merits=("erfarenhet av Power BI eller liknande verktyg", "erfarenhet från tillverkande företag"),
        must=("MS Excel",),
        nice=("Projekt- och internredovisning", "Koncernredovisning"),
        roles=("Ekonomichef", "CFO"),
        experience=0.9,
    ),
    Profile(
        occupation="ojEj_nt6_PCa",
        count=3,
        sectors=(("office", 1), ("kommun_tech", 1), ("region", 1)),
        noun="lönehandläggare",
        titles=("Löneadministratör", "Lönekonsult", "Lönehandläggare"),
        units=("lönecenter", "vår löneavdelning", "HR-avdelningen"),
        depts=("HR-avdelningen",),
        about=(
            "Lönecenter betalar ut lön till omkring 8 000 anställda varje månad.",
            "Du ingår i ett team där vi delar på kunskap och hjälps åt vid toppar.",
        ),
        duties=(
            "ansvara för hela löneprocessen för dina kundgrupper",
            "registrera frånvaro, ersättningar och avdrag",
            "tolka och tillämpa kollektivavtal och lagar",
            "besvara frågor från chefer och medarbetare",
            "stämma av och rapportera till Skatteverket och försäkringsbolag",
        ),
        reqs=(
            "har utbildning inom löneadministration",
            "har erfarenhet av lönearbete",
            "är noggrann och har god systemvana",
        ),
        merits=("erfarenhet av Heroma eller Hogia", "kunskap om kommunala kollektivavtal"),
        must=("Löneadministration",),
        nice=("Lönesystem", "Personaladministration"),
    ),
    Profile(
        occupation="8Uhp_XYo_z5f",
        count=5,
        sectors=(("contact_center", 4), ("corporate", 1)),
        noun="kundtjänstmedarbetare",
        titles=("Kundtjänstmedarbetare", "Kundservicemedarbetare", "Kundrådgivare"),
        units=("vår kundtjänst i {town}", "kundservice", "vårt kundteam"),
        about=(
            "Vi besvarar frågor från privatpersoner och företag via telefon, chatt och e-post.",
            "Du får betald utbildning och en coach som stöttar dig under de första månaderna.",
            "Kontoret ligger centralt med goda kommunikationer.",
        ),
        duties=(
            "besvara kundernas frågor via telefon, chatt och e-post",
            "hjälpa kunder med fakturor, avtal och ändringar",
            "dokumentera ärenden i vårt kundsystem",
            "lösa problem direkt eller slussa vidare till rätt funktion",
            "bidra med förbättringsförslag utifrån kundernas synpunkter",
        ),
        reqs=(
            "har erfarenhet av kundservice eller annat serviceyrke",
            "uttrycker dig väl på svenska i tal och skrift",
            "har god datorvana",
        ),
        merits=("kunskap i engelska eller fler språk", "erfarenhet från energi- eller telekombranschen"),
        must=("Kundtjänst",),
        roles=("Kundtjänstchef", "Teamledare"),
        hours="mixed",
        temp=0.3,
        experience=0.3,
    ),
    Profile(
        occupation="EAao_VsW_pQb",
        count=3,
        sectors=(("region", 1),),
        noun="medicinsk sekreterare",
        titles=("Medicinsk sekreterare", "Vårdadministratör"),
        units=("ortopedkliniken", "kvinnokliniken", "vårdadministrationen"),
        about=(
            "Vårdadministrationen stödjer flera mottagningar och avdelningar.",
            "Vi arbetar med digital diktering och taligenkänning.",
        ),
        duties=(
            "skriva journalanteckningar och remisser från diktat",
            "hantera kallelser, tidbokning och väntelistor",
            "registrera diagnoser och åtgärder",
            "ta emot och besvara telefonsamtal från patienter",
            "delta i utvecklingen av administrativa rutiner",
        ),
        reqs=(
            "har utbildning till medicinsk sekreterare",
            "har mycket god svenska i tal och skrift",
            "är noggrann och har god datorvana",
        ),
        merits=("erfarenhet av journalsystemet Cosmic", "kunskap i medicinsk terminologi"),
    ),
    Profile(
        occupation="s28Q_sya_S2b",
        count=3,
        sectors=(("corporate", 2), ("kommun_tech", 1)),
        noun="HR-specialist",
        titles=("HR-specialist", "HR-partner", "HR-konsult"),
        units=("HR-avdelningen", "vår HR-funktion", "personalavdelningen"),
        depts=("HR-avdelningen",),
        about=(
            "HR arbetar nära chefer i hela organisationen med allt från rekrytering till arbetsmiljö.",
            "Du blir en av fem i ett engagerat HR-team.",
        ),
        duties=(
            "stödja chefer i arbetsrättsliga frågor och rehabiliteringsärenden",
            "driva rekryteringsprocesser",
            "arbeta med systematiskt arbetsmiljöarbete",
            "delta i lönerevision och förhandlingar",
            "utveckla HR-processer och policyer",
        ),
        reqs=(
            "har högskoleutbildning inom personal- och arbetslivsfrågor",
            "har några års erfarenhet av operativt HR-arbete",
            "har goda kunskaper i arbetsrätt",
        ),
        merits=("erfarenhet av förhandlingar med fackliga organisationer", "erfarenhet av HR-system"),
        must=("Arbetsrätt",),
        nice=("Personaladministration", "Löneförhandlingar"),
        roles=("HR-chef", "Personalchef"),
        experience=0.8,
    ),
    Profile(
        occupation="EsXb_35r_rTR",
        count=2,
        sectors=(("corporate", 1),),
        places="city",
        noun="bolagsjurist",
        titles=("Bolagsjurist", "Legal counsel"),
        units=("vår juridiska avdelning", "koncernens legalfunktion"),
        about=(
            "Legalfunktionen stödjer hela koncernen i Sverige och Norden.",
            "Du arbetar nära ledningen och affärsområdena.",
        ),
        duties=(
            "granska och förhandla kommersiella avtal",
            "ge rådgivning i bolagsrättsliga frågor",
            "hantera frågor om dataskydd och regelefterlevnad",
            "utbilda verksamheten i juridiska frågor",
        ),
        reqs=(
            "har juristexamen",
            "har minst fem års erfarenhet från advokatbyrå eller bolag",
            "uttrycker dig väl på svenska och engelska",
        ),
        merits=("erfarenhet av företagsförvärv", "erfarenhet från börsnoterat bolag"),
        must=("Avtalsrätt", "Bolagsrätt"),
        nice=("Affärsjuridik",),
        roles=("Chefsjurist", "CFO"),
        experience=1.0,
    ),
    # ---------------------------------------------------------------- Bygg och anläggning
    Profile(
        occupation="4Z7F_oBG_vMG",
        count=5,
        sectors=(("bygg", 1),),
        noun="snickare",
        titles=("Snickare", "Byggnadssnickare", "Erfaren snickare"),
        units=("vårt team i {town}", "ett bostadsprojekt i {town}", "våra ROT-projekt"),
        about=(
            "Vi har flera pågående projekt med allt från flerbostadshus till skolor.",
            "Du arbetar i lag med andra yrkesarbetare och har en arbetsledare på plats.",
            "Vi planerar arbetet noga så att du har material och verktyg när du behöver dem.",
        ),
        duties=(
            "utföra stomresning, montering och finsnickeri",
            "montera innerväggar, undertak, dörrar och fönster",
            "läsa ritningar och mäta ut inför arbetet",
            "utföra egenkontroller och dokumentera utfört arbete",
            "bidra till en säker och ordnad arbetsplats",
        ),
        reqs=(
            "har yrkesbevis som träarbetare eller motsvarande erfarenhet",
            "har god kunskap om ritningsläsning",
            "är noggrann och ansvarstagande",
        ),
        merits=("certifikat för heta arbeten", "utbildning i fallskydd", "erfarenhet av ROT-arbeten"),
        must=("Ritningsläsning",),
        nice=("Certifikat, heta arbeten", "Utbildningsbevis, fallskydd"),
        license=_LIC_B,
        license_share=0.6,
        experience=0.7,
    ),
    Profile(
        occupation="rv19_K1B_Fuo",
        count=3,
        sectors=(("paint", 1),),
        noun="målare",
        titles=("Målare", "Byggnadsmålare"),
        units=("vårt måleri i {town}", "våra projekt i {town}"),
        about=(
            "Vi arbetar med både nyproduktion och renovering av bostäder, kontor och offentliga lokaler.",
            "Du arbetar ofta i par med en erfaren kollega.",
        ),
        duties=(
            "utföra måleri inomhus och utomhus",
            "spackla, slipa och tapetsera",
            "förbereda underlag och skydda omgivande ytor",
            "sprutmåla snickerier och fasader",
        ),
        reqs=("har yrkesbevis som målare eller lång erfarenhet", "har känsla för kvalitet och finish"),
        merits=("erfarenhet av sprutmålning", "utbildning i Arbete på väg"),
        nice=("Sprutmålning", "Snickerimålning och ytbehandling"),
        license=_LIC_B,
        license_share=0.5,
    ),
    Profile(
        occupation="ZZTi_v6g_4cZ",
        count=3,
        sectors=(("vvs", 1),),
        noun="VVS-montör",
        titles=("VVS-montör", "Servicemontör VVS"),
        units=("vår serviceavdelning", "våra projekt i {town}"),
        about=(
            "Du arbetar både i nyproduktion och med service hos privatkunder och fastighetsägare.",
            "Vi har egen servicebil till varje montör.",
        ),
        duties=(
            "installera rör för värme, vatten och avlopp",
            "byta och serva blandare, toaletter och varmvattenberedare",
            "felsöka värmesystem",
            "dokumentera utförda arbeten i vår app",
        ),
        reqs=("har VVS-utbildning och certifikat enligt Säker Vatten", "har god servicekänsla"),
        merits=("erfarenhet av värmepumpar", "certifikat för heta arbeten"),
        nice=("Certifikat, heta arbeten",),
        license=_LIC_B,
    ),
    Profile(
        occupation="EGix_gMZ_3r9",
        count=3,
        sectors=(("earthworks", 1),),
        places="rural",
        noun="grävmaskinförare",
        titles=("Grävmaskinförare", "Maskinförare grävmaskin", "Erfaren grävmaskinist"),
        units=("våra VA-projekt", "vårt anläggningslag i {town}", "ett vägprojekt i {town}"),
        about=(
            "Vi arbetar med VA-ledningar, markarbeten och grundläggning för nybyggnation.",
            "Maskinparken är modern med 3D-styrning i de flesta grävmaskiner.",
        ),
        duties=(
            "köra grävmaskin vid schakt, ledningsläggning och återfyllning",
            "arbeta med 3D-styrning och maskinstyrningsfiler",
            "sköta daglig tillsyn och enklare underhåll av maskinen",
            "samarbeta med rörläggare och arbetsledare på plats",
        ),
        reqs=("har yrkesbevis för grävmaskin eller lång erfarenhet", "är säkerhetsmedveten"),
        merits=("C- eller CE-körkort", "utbildning i Arbete på väg", "erfarenhet av 3D-maskinstyrning"),
        must=("Yrkesbevis, grävmaskin/grävlastare",),
        nice=("Arbete på väg, nivå 1 och 2", "Grävmaskin"),
        license=_LIC_B,
        experience=0.8,
    ),
    Profile(
        occupation="pTTz_5DC_itW",
        count=3,
        sectors=(("bygg", 2), ("kommun_tech", 1)),
        noun="projektledare",
        titles=("Projektledare bygg", "Byggprojektledare"),
        units=("vår projektavdelning", "våra projekt i {town}"),
        units_by_sector={"kommun_tech": ("fastighetsavdelningen", "lokalförsörjningen")},
        depts=("Fastighetsavdelningen",),
        about=(
            "Du driver byggprojekt från förstudie till färdig byggnad, i värden mellan 5 och 150 "
            "miljoner kronor.",
            "Vi har ett flertal projekt igång i regionen, från skolor och förskolor till bostäder.",
        ),
        duties=(
            "leda byggprojekt genom alla skeden",
            "upphandla konsulter och entreprenörer",
            "följa upp tid, kostnad och kvalitet",
            "samordna beställare, konsulter och hyresgäster",
            "ansvara för projektets arbetsmiljö enligt gällande regler",
        ),
        reqs=(
            "har högskoleutbildning inom bygg eller motsvarande erfarenhet",
            "har erfarenhet av att leda byggprojekt",
        ),
        merits=("kunskap om standardavtalen AB 04 och ABT 06", "erfarenhet av offentlig upphandling"),
        nice=("Entreprenadjuridik",),
        license=_LIC_B,
        experience=0.9,
    ),
    # ---------------------------------------------------------------- Transport, distribution, lager
    Profile(
        occupation="JEhg_Dmh_mzv",
        count=4,
        sectors=(("logistics", 1),),
        noun="distributionsförare",
        titles=("Distributionsförare", "Lastbilschaufför, distribution", "C-chaufför"),
        units=("vår distribution i {town}", "vår terminal i {town}"),
        about=(
            "Du kör lokal distribution med start och slut på terminalen varje dag.",
            "Bilarna är nya och utrustade med bakgavellyft.",
        ),
        duties=(
            "lasta och köra ut gods till butiker och företag",
            "planera rutten tillsammans med trafikledningen",
            "hantera leveranssedlar och kvittenser i handdator",
            "sköta daglig tillsyn av fordonet",
        ),
        reqs=(
            "har giltigt yrkeskompetensbevis",
            "har god servicekänsla",
            "är fysiskt stark och tål ett högt tempo",
        ),
        merits=("CE-körkort", "ADR-intyg", "truckkort"),
        must=("Yrkeskompetensbevis YKB, tung lastbil",),
        nice=("ADR, styckegods (grundkurs)",),
        license="C",
        experience=0.6,
        schedule=("Arbetstiden är måndag till fredag med start tidigt på morgonen.",),
    ),
    Profile(
        occupation="DLEi_bTh_oLA",
        count=6,
        sectors=(("logistics", 1),),
        noun="lagermedarbetare",
        titles=("Lagermedarbetare", "Lagerarbetare", "Terminalarbetare", "Lagerarbetare, e-handel"),
        units=("vårt lager i {town}", "vår terminal", "e-handelslagret"),
        about=(
            "Lagret är på 20 000 kvadratmeter och vi skickar ut tusentals order varje dag.",
            "Vi arbetar i skift och har ett starkt fokus på säkerhet.",
            "Du får en grundlig introduktion med en fadder.",
        ),
        duties=(
            "plocka och packa order med handdator",
            "ta emot, kontrollera och lagerföra inkommande gods",
            "köra truck vid lastning och lossning",
            "hålla ordning och reda i lagret",
            "delta i inventeringar",
        ),
        reqs=("har erfarenhet av lagerarbete", "är noggrann och effektiv", "kan arbeta skift"),
        merits=("truckkort för A- och B-truck", "erfarenhet av lagersystem"),
        must=("Terminal- och lagerarbete",),
        nice=("Utbildningsbevis enligt TLP 10 för truckförare", "Truckvana"),
        hours="mixed",
        temp=0.3,
        on_call=0.2,
        experience=0.4,
        schedule=(
            "Arbetet sker i tvåskift, vecka för vecka.",
            "Arbetstiden är kvällar och helger.",
            "Dagtid måndag till fredag.",
        ),
    ),
    Profile(
        occupation="GQSf_fnq_kjF",
        count=3,
        sectors=(("logistics", 2), ("industry", 1)),
        noun="truckförare",
        titles=("Truckförare", "Truckförare, skiftarbete"),
        units=("vårt centrallager", "godsmottagningen", "utlastningen"),
        about=(
            "Vi hanterar stora volymer pallgods och arbetar i tvåskift.",
            "Du får en ordentlig introduktion på våra trucktyper.",
        ),
        duties=(
            "lasta och lossa lastbilar med motviktstruck och skjutstativtruck",
            "placera gods i höglager",
            "registrera förflyttningar i lagersystemet",
            "utföra daglig kontroll av trucken",
        ),
        reqs=("har truckkort för A- och B-truck", "har erfarenhet av truckkörning i högt tempo"),
        merits=("erfarenhet av höglager", "C-körkort"),
        must=("Utbildningsbevis enligt TLP 10 för truckförare",),
        nice=("B-truckar", "A-truckar"),
    ),
    Profile(
        occupation="6zL8_YYP_1eR",
        count=3,
        sectors=(("bus", 1),),
        noun="bussförare",
        titles=("Bussförare", "Busschaufför"),
        units=("stadstrafiken i {town}", "regiontrafiken", "vår depå i {town}"),
        about=(
            "Vi kör stadstrafik och regionbussar med moderna el- och biogasbussar.",
            "Du får en grundlig linjeutbildning innan du kör själv.",
        ),
        duties=(
            "köra buss i linjetrafik enligt tidtabell",
            "ge resenärerna service och information",
            "hantera biljettsystem och kontrollera färdbevis",
            "utföra kontroller av bussen före körning",
        ),
        reqs=(
            "har giltigt yrkeskompetensbevis för buss",
            "har god servicekänsla",
            "är punktlig och ansvarsfull",
        ),
        merits=("erfarenhet av linjetrafik", "kunskap i engelska"),
        must=("Yrkeskompetensbevis, buss",),
        license="D",
        hours="mixed",
        on_call=0.2,
        schedule=("Schemat är rullande med delade turer samt kvällar och helger.",),
    ),
    # ---------------------------------------------------------------- Hotell, restaurang, storhushåll
    Profile(
        occupation="JbJw_as4_S93",
        count=4,
        sectors=(("restaurant", 3), ("hotel", 1)),
        noun="kock",
        titles=("Kock", "Kock à la carte", "Erfaren kock", "Kock med passion för råvaror"),
        units=("vårt kök", "restaurangen", "à la carte-köket"),
        about=(
            "Vi serverar lunch på vardagar och à la carte på kvällarna med plats för 90 gäster.",
            "Menyn byts ut varje säsong och kockarna är delaktiga i att ta fram nya rätter.",
            "Köket består av sex kockar och en köksmästare.",
        ),
        duties=(
            "tillaga rätter på à la carte och lunchbuffé",
            "förbereda mise en place och ansvara för din station",
            "beställa råvaror och hålla koll på lagret",
            "följa rutiner för egenkontroll och livsmedelshygien",
            "bidra med idéer till nya rätter",
        ),
        reqs=(
            "har utbildning inom restaurang eller motsvarande erfarenhet",
            "har erfarenhet av à la carte-kök",
            "trivs i ett högt tempo",
        ),
        merits=("erfarenhet av specialkost och allergier", "gesällbrev som kock"),
        nice=("Livsmedelshygien", "Specialkost"),
        hours="mixed",
        on_call=0.15,
        schedule=("Arbetstiden är främst kvällar och helger.", "Du arbetar dag och kväll enligt schema."),
    ),
    Profile(
        occupation="Vg3d_Azf_p5Y",
        count=3,
        sectors=(("kommun_tech", 2), ("catering", 1)),
        noun="kock",
        titles=("Kock", "Kock, storhushåll", "Måltidspersonal/kock"),
        units=("skolrestaurangen på Centrumskolan", "kostenhetens tillagningskök", "äldreboendets kök"),
        depts=("Kost- och måltidsenheten",),
        about=(
            "Köket lagar omkring 600 portioner om dagen till skolor och förskolor.",
            "Vi lagar mat från grunden med fokus på näring, hållbarhet och minskat matsvinn.",
        ),
        duties=(
            "laga och servera näringsriktig mat från grunden",
            "anpassa måltider efter specialkoster och allergier",
            "ansvara för beställningar och egenkontroll",
            "bidra till en trevlig måltidsmiljö för barn och elever",
        ),
        reqs=(
            "har utbildning inom storhushåll eller restaurang",
            "har erfarenhet av arbete i storkök",
            "har kunskap om specialkost",
        ),
        merits=("erfarenhet av skolmåltider", "utbildning i livsmedelshygien"),
        nice=("Specialkost", "Utbildning i livsmedelshygien"),
        offers=("arbetskläder",),
        schedule=("Arbetstiden är dagtid vardagar.",),
    ),
    Profile(
        occupation="rGGf_KLs_To7",
        count=3,
        sectors=(("restaurant", 2), ("hotel", 1)),
        noun="servitör",
        titles=("Servitör/servitris", "Serveringspersonal", "Servitör"),
        units=("restaurangen", "vår matsal", "vår bar och restaurang"),
        about=(
            "Restaurangen har 120 platser inomhus och en populär uteservering.",
            "Vi har många sällskap och bröllop och ett team som verkligen trivs tillsammans.",
        ),
        duties=(
            "ta emot gäster och ta upp beställningar",
            "servera mat och dryck med god kunskap om menyn",
            "rekommendera viner och drycker",
            "hantera betalningar i kassasystemet",
            "duka och ställa i ordning inför servering",
        ),
        reqs=(
            "har erfarenhet av servering",
            "är social och har ett professionellt bemötande",
            "kan arbeta kvällar och helger",
        ),
        merits=("utbildning i ansvarsfull alkoholservering", "dryckeskunskap"),
        nice=("Bordsservering",),
        hours="part",
        on_call=0.3,
    ),
    Profile(
        occupation="3kFW_XLk_v9H",
        count=3,
        sectors=(("hotel", 1),),
        places="city",
        noun="receptionist",
        titles=("Receptionist", "Hotellreceptionist", "Front office-medarbetare"),
        units=("vår reception", "hotellets front office"),
        about=(
            "Receptionen är hotellets hjärta och är bemannad dygnet runt.",
            "Många av våra gäster kommer från utlandet och du använder engelska dagligen.",
        ),
        duties=(
            "checka in och checka ut gäster",
            "hantera bokningar via telefon, e-post och bokningssystem",
            "ge gästerna tips och information om staden",
            "ta hand om betalningar och kassaredovisning",
            "samarbeta med housekeeping och restaurang",
        ),
        reqs=(
            "har erfarenhet av service eller reception",
            "talar och skriver svenska och engelska obehindrat",
            "kan arbeta dag, kväll och helg",
        ),
        merits=("erfarenhet av bokningssystemet Opera", "kunskap i tyska eller andra språk"),
        nice=("OPERA, hotellbokningssystem",),
        hours="mixed",
        english=1,
        en=EnglishText(
            titles=("Hotel Receptionist", "Front Desk Agent"),
            noun="receptionist",
            units=("our front desk", "the hotel reception"),
            about=("The reception is the heart of the hotel and is staffed around the clock.",),
            duties=(
                "check guests in and out",
                "handle bookings by phone, e-mail and our booking system",
                "give guests tips about the city",
                "take payments and balance the till",
            ),
            reqs=(
                "have experience in customer service or hotel reception",
                "speak fluent English; Swedish is a plus",
            ),
            merits=("experience with the Opera booking system", "additional languages such as German"),
        ),
    ),
    # ---------------------------------------------------------------- Industriell tillverkning
    Profile(
        occupation="9haD_NB6_ULH",
        count=4,
        sectors=(("industry", 1),),
        noun="CNC-operatör",
        titles=("CNC-operatör", "CNC-operatör, fräs", "Maskinoperatör CNC", "CNC-svarvare"),
        units=("vår maskinbearbetning", "fräsavdelningen", "svarvavdelningen"),
        about=(
            "Vi tillverkar precisionsdetaljer i små och medelstora serier.",
            "Maskinparken består av moderna fleroperationsmaskiner och automatiserade celler.",
        ),
        duties=(
            "ställa och köra CNC-styrda fräsar och svarvar",
            "göra enklare programändringar",
            "mäta och kontrollera detaljer mot ritning",
            "byta verktyg och sköta förebyggande underhåll",
            "rapportera i vårt produktionssystem",
        ),
        reqs=(
            "har erfarenhet av CNC-bearbetning",
            "kan läsa ritningar och använda mätverktyg",
            "är noggrann och kvalitetsmedveten",
        ),
        merits=(
            "erfarenhet av styrsystemen Heidenhain eller Fanuc",
            "utbildning från industritekniska programmet",
        ),
        must=("Fräsning, CNC", "Ritningsläsning"),
        nice=("Svarvning, CNC", "CNC-programmering"),
        schedule=("Arbetet sker i tvåskift.", "Dagtid med möjlighet till skift."),
    ),
    Profile(
        occupation="rxrQ_Nyy_k6y",
        count=3,
        sectors=(("industry", 1),),
        noun="svetsare",
        titles=("Svetsare", "Erfaren svetsare", "MIG/MAG-svetsare"),
        units=("vår verkstad i {town}", "svetsavdelningen"),
        about=(
            "Vi tillverkar stålkonstruktioner och tunga detaljer för bygg- och energisektorn.",
            "Verkstaden har goda lyftmöjligheter och bra svetsutsug.",
        ),
        duties=(
            "svetsa konstruktioner i stål och rostfritt enligt ritning och svetsdatablad",
            "förbereda och fixera detaljer inför svetsning",
            "kontrollera dina egna svetsar",
            "samarbeta med montörer och kvalitetstekniker",
        ),
        reqs=("har svetscertifikat för MIG/MAG", "kan läsa ritningar och svetsbeteckningar"),
        merits=("certifikat i TIG-svetsning", "erfarenhet av robotsvetsning"),
        must=("EN 287-1, 135 MAG-svetsning",),
        nice=("EN 287-1, 141 TIG-svetsning", "Ritningsläsning"),
        experience=0.7,
    ),
    Profile(
        occupation="rAjz_1xP_f1a",
        count=3,
        sectors=(("industry", 1),),
        noun="montör",
        titles=("Montör", "Produktionsmontör", "Industrimontör"),
        units=("monteringen", "vår monteringsavdelning", "slutmonteringen"),
        about=(
            "Vi monterar lyftutrustning som levereras till kunder i hela världen.",
            "Arbetet sker i team med roterande arbetsuppgifter.",
        ),
        duties=(
            "montera komponenter och delsystem enligt instruktion",
            "utföra funktionstester och kvalitetskontroller",
            "använda handverktyg och åtdragningsutrustning",
            "bidra i förbättringsarbetet",
        ),
        reqs=("har erfarenhet av montering eller annat industriarbete", "har god teknisk förståelse"),
        merits=("truckkort", "erfarenhet av lean"),
        nice=("Lean/Ständiga förbättringar",),
        temp=0.3,
        experience=0.3,
    ),
    # ---------------------------------------------------------------- Yrken med social inriktning
    Profile(
        occupation="eU1q_zvL_9Rf",
        count=5,
        sectors=(("assistans", 4), ("kommun_care", 1)),
        noun="personlig assistent",
        titles=("Personlig assistent", "Personliga assistenter"),
        units=(
            "en kvinna i 40-årsåldern",
            "en pojke i tonåren",
            "en man med ryggmärgsskada",
            "en aktiv pensionär",
        ),
        depts=("Funktionsstödsförvaltningen",),
        about=(
            "Kunden har ett aktivt liv med arbete, träning och resor.",
            "Du blir en del av en arbetsgrupp på fem assistenter.",
            "Kunden kommunicerar med tecken som stöd. Det finns en hund i hemmet.",
        ),
        duties=(
            "ge stöd i vardagen med personlig hygien, måltider och förflyttningar",
            "följa med på aktiviteter, resor och träning",
            "hjälpa till med hushållssysslor",
            "bidra till att kunden kan leva ett självständigt liv",
        ),
        reqs=(
            "är trygg, lyhörd och respektfull",
            "har lätt för att följa kundens önskemål och rutiner",
            "kan förstå och göra dig förstådd på svenska",
        ),
        merits=("erfarenhet av personlig assistans", "B-körkort", "utbildning inom vård och omsorg"),
        offers=("utbildning i lyft och förflyttning",),
        hours="mixed",
        temp=0.3,
        on_call=0.3,
        experience=0.2,
        schedule=("Arbetstiden är dag, kväll och helg samt vissa sovande jourer.",),
    ),
    Profile(
        occupation="FwM7_WYB_qgc",
        count=4,
        sectors=(("kommun_care", 1),),
        noun="socialsekreterare",
        titles=(
            "Socialsekreterare",
            "Socialsekreterare barn och unga",
            "Socialsekreterare, försörjningsstöd",
        ),
        units=(
            "enheten för barn och unga",
            "mottagningsenheten",
            "enheten för ekonomiskt bistånd",
            "vuxenenheten",
        ),
        depts=("Individ- och familjeomsorgen",),
        about=(
            "Du arbetar i en arbetsgrupp med erfarna kollegor och får regelbunden handledning.",
            "Vi har en genomarbetad introduktion och en mentor under den första tiden.",
        ),
        duties=(
            "utreda ärenden enligt socialtjänstlagen och LVU",
            "bedöma behov och besluta om insatser",
            "samverka med skola, polis och hälso- och sjukvård",
            "dokumentera enligt gällande lagstiftning",
            "följa upp beviljade insatser",
        ),
        reqs=(
            "har socionomexamen eller annan relevant examen",
            "har god förmåga att uttrycka dig i tal och skrift",
            "kan arbeta strukturerat och självständigt",
        ),
        merits=("erfarenhet av myndighetsutövning", "utbildning i BBIC"),
        offers=(
            "regelbunden extern handledning",
            "en mentor under det första året",
            "möjlighet till distansarbete vissa dagar",
        ),
        temp=0.25,
    ),
    Profile(
        occupation="MMTE_fiP_1Ng",
        count=3,
        sectors=(("kommun_care", 2), ("care_private", 1)),
        noun="behandlingsassistent",
        titles=("Behandlingsassistent", "Behandlingspedagog", "Socialpedagog"),
        units=("vårt HVB-hem för ungdomar", "kommunens stödboende", "öppenvården"),
        units_by_sector={"care_private": ("vårt HVB-hem för ungdomar", "vårt stödboende")},
        about=(
            "Verksamheten tar emot ungdomar i åldern 13–18 år med psykosocial problematik.",
            "Vi arbetar utifrån ett lågaffektivt bemötande och evidensbaserade metoder.",
        ),
        duties=(
            "ge stöd och struktur i ungdomarnas vardag",
            "genomföra motiverande samtal och aktiviteter",
            "dokumentera och följa upp genomförandeplaner",
            "samarbeta med socialtjänst, skola och familj",
        ),
        reqs=(
            "har utbildning som behandlingspedagog eller motsvarande",
            "har erfarenhet av arbete med ungdomar",
            "är trygg och tydlig i ditt ledarskap",
        ),
        merits=("utbildning i motiverande samtal", "B-körkort"),
        nice=("Familjebehandling/nätverksarbete",),
        hours="mixed",
        offers=("regelbunden handledning", "utbildning i lågaffektivt bemötande"),
        depts=("Socialförvaltningen", "Individ- och familjeomsorgen"),
        check="Inför anställning behöver du visa upp ett utdrag ur belastningsregistret.",
        schedule=("Arbetstiden är förlagd till dag, kväll och helg enligt rullande schema.",),
    ),
    Profile(
        occupation="LxhG_of8_eMi",
        count=3,
        sectors=(("kommun_care", 1),),
        noun="stödassistent",
        titles=("Stödassistent", "Stödassistent, LSS"),
        units=("en gruppbostad enligt LSS", "daglig verksamhet", "ett servicehem"),
        depts=("Funktionsstödsförvaltningen",),
        about=(
            "Boendet har sex lägenheter för vuxna med intellektuell funktionsnedsättning och autism.",
            "Vi arbetar med tydliggörande pedagogik och låg affekt.",
        ),
        duties=(
            "ge individuellt anpassat stöd i vardagen",
            "arbeta med tydliggörande pedagogik och bildstöd",
            "stödja brukarna i aktiviteter och fritid",
            "dokumentera och följa upp genomförandeplaner",
        ),
        reqs=(
            "har utbildning inom vård och omsorg eller socialpedagogik",
            "har erfarenhet av arbete inom LSS",
            "är lugn och tålmodig",
        ),
        merits=("kunskap om autism och lågaffektivt bemötande", "B-körkort"),
        nice=("Autismspektrumstörning, specialpedagogik",),
        offers=("utbildning i tydliggörande pedagogik", "möjlighet till önskeschema"),
        hours="mixed",
        on_call=0.2,
        check=_CHECK_CARE,
    ),
    # ---------------------------------------------------------------- Installation, drift, underhåll
    Profile(
        occupation="84Uc_bhA_s47",
        count=4,
        sectors=(("installation", 1),),
        noun="elektriker",
        titles=("Elektriker", "Installationselektriker", "Serviceelektriker"),
        units=("vår serviceavdelning", "våra projekt i {town}", "vårt team i {town}"),
        about=(
            "Vi arbetar med allt från bostäder och kontor till industri och laddinfrastruktur.",
            "Du har egen servicebil och planerar dagen tillsammans med arbetsledaren.",
        ),
        duties=(
            "utföra elinstallationer i nyproduktion och ombyggnad",
            "felsöka och åtgärda fel i elanläggningar",
            "installera laddboxar och solcellsanläggningar",
            "dokumentera och egenkontrollera utförda arbeten",
            "ha god kontakt med kunder på plats",
        ),
        reqs=("har elbehörighet eller är på väg att ta den", "arbetar säkert och noggrant enligt ESA"),
        merits=("erfarenhet av fastighetsautomation", "erfarenhet av solcellsinstallationer"),
        must=("AB (allmän elbehörighet)",),
        nice=("ESA (Elsäkerhetsanvisningarna)", "Kabelinstallationer"),
        license=_LIC_B,
        experience=0.7,
    ),
    Profile(
        occupation="ci6b_Nc2_FmS",
        count=3,
        sectors=(("industry", 1),),
        noun="underhållsmekaniker",
        titles=("Underhållsmekaniker", "Underhållstekniker"),
        units=("underhållsavdelningen", "vårt underhållsteam", "fabriken i {town}"),
        about=(
            "Underhållsavdelningen ansvarar för drift och underhåll av produktionslinjer och fastighet.",
            "Vi arbetar med förebyggande underhåll och har ett modernt underhållssystem.",
        ),
        duties=(
            "utföra förebyggande och avhjälpande underhåll på produktionsutrustning",
            "felsöka hydraulik, pneumatik och mekanik",
            "delta i förbättringsprojekt och ombyggnationer",
            "dokumentera arbetsordrar i underhållssystemet",
            "ingå i beredskapsschemat",
        ),
        reqs=(
            "har mekanisk utbildning eller motsvarande erfarenhet",
            "har god kunskap om hydraulik och pneumatik",
            "har god problemlösningsförmåga",
        ),
        merits=("grundläggande kunskaper i el och PLC", "certifikat för heta arbeten"),
        nice=("PLC (programmerbart styrsystem)", "Certifikat, heta arbeten"),
        experience=0.8,
    ),
    Profile(
        occupation="gD5N_mCM_ea5",
        count=3,
        sectors=(("property", 2), ("kommun_tech", 1)),
        noun="fastighetsskötare",
        titles=("Fastighetsskötare", "Fastighetstekniker", "Fastighetsvärd"),
        units=("vårt förvaltningsområde i {town}", "vårt driftteam"),
        units_by_sector={"kommun_tech": ("fastighetsavdelningen", "kommunens fastighetsdrift")},
        depts=("Fastighetsavdelningen",),
        about=(
            "Du ansvarar för ett område med omkring 400 lägenheter.",
            "Vi har egen verkstad och servicebilar.",
        ),
        duties=(
            "utföra enklare reparationer och underhåll i lägenheter och lokaler",
            "sköta ronderingar av tekniska installationer",
            "ta hand om utemiljö, snöröjning och sophantering",
            "ha kontakt med hyresgäster och entreprenörer",
        ),
        reqs=("har erfarenhet av fastighetsskötsel eller teknisk utbildning", "är serviceinriktad"),
        merits=("kunskap om ventilation och värmesystem", "certifikat för heta arbeten"),
        offers=("arbetskläder och verktyg",),
        license=_LIC_B,
    ),
    # ---------------------------------------------------------------- Naturbruk
    Profile(
        occupation="hVUG_5nN_gBh",
        count=2,
        sectors=(("forest", 1),),
        places="rural",
        noun="skogsmaskinförare",
        titles=("Skogsmaskinförare", "Skördarförare", "Skotarförare"),
        units=("vårt avverkningslag", "vårt lag i {town}"),
        about=(
            "Vi avverkar på uppdrag av skogsägare och större skogsbolag i länet.",
            "Maskinerna är nya och väl underhållna.",
        ),
        duties=(
            "köra skördare eller skotare vid gallring och slutavverkning",
            "planera arbetet utifrån traktdirektiv och naturhänsyn",
            "sköta daglig service och enklare reparationer av maskinen",
            "rapportera produktion digitalt",
        ),
        reqs=("har erfarenhet av skogsmaskin", "kan arbeta självständigt"),
        merits=("förarbevis för skördare och skotare", "utbildning i miljöhänsyn vid avverkning"),
        must=("Förarbevis, skotare",),
        nice=("Förarbevis, skördare",),
        license=_LIC_B,
        experience=0.8,
    ),
    Profile(
        occupation="vxKf_9ig_cob",
        count=2,
        sectors=(("farm", 1),),
        places="rural",
        noun="djurskötare",
        titles=("Djurskötare", "Djurskötare, mjölkproduktion"),
        units=("vår mjölkgård", "gården utanför {town}"),
        about=(
            "Gården har robotmjölkning och en modern lösdriftsladugård.",
            "Vi är tre familjemedlemmar och två anställda som hjälps åt med allt.",
        ),
        duties=(
            "sköta utfodring, strö och rengöring",
            "övervaka djurens hälsa och brunst",
            "ta hand om kalvar och ungdjur",
            "delta i fältarbete under säsong",
        ),
        reqs=("har erfarenhet av djurhållning", "är noggrann och har ett gott djuröga"),
        merits=("erfarenhet av robotmjölkning", "traktorvana"),
        must=("Mjölkproduktion",),
        schedule=("Arbetet innefattar helgtjänstgöring enligt rullande schema.",),
    ),
    Profile(
        occupation="4Y6u_JPp_jas",
        count=2,
        sectors=(("kommun_tech", 1), ("garden", 1)),
        noun="parkarbetare",
        titles=("Parkarbetare", "Trädgårdsarbetare", "Park- och trädgårdsarbetare"),
        units=("parkavdelningen", "gatu- och parkenheten"),
        depts=("Park och natur",),
        units_by_sector={"garden": ("vårt skötsellag", "vårt team i {town}")},
        about=(
            "Vi sköter parker, lekplatser och grönytor i hela {town}.",
            "Arbetet sker i lag med två till fyra personer.",
        ),
        duties=(
            "klippa gräs och beskära buskar",
            "plantera och sköta planteringar",
            "tömma papperskorgar och hålla parkerna rena",
            "köra mindre maskiner som åkgräsklippare",
        ),
        reqs=("har intresse för växter och utemiljö", "tycker om fysiskt arbete utomhus"),
        merits=("utbildning inom trädgård eller naturbruk", "BE-körkort"),
        nice=("Yrkesbevis, skötsel och förvaltning av utemiljö",),
        offers=("arbetskläder",),
        license=_LIC_B,
        temp=0.6,
    ),
    # ---------------------------------------------------------------- Kultur, media, design
    Profile(
        occupation="5x47_XP7_zyN",
        count=2,
        sectors=(("media", 1),),
        noun="reporter",
        titles=("Reporter", "Journalist", "Nyhetsreporter"),
        units=("nyhetsredaktionen", "vår redaktion i {town}"),
        about=(
            "Redaktionen publicerar nyheter dygnet runt på webb, i app och i papperstidningen.",
            "Vi är en liten redaktion med stort lokalt engagemang.",
        ),
        duties=(
            "bevaka nyheter i regionen och skriva artiklar",
            "filma och fotografera till webb och sociala medier",
            "göra research och intervjuer",
            "delta i planeringsmöten och bidra med idéer",
        ),
        reqs=("har journalistutbildning eller erfarenhet från redaktion", "skriver snabbt och korrekt"),
        merits=("erfarenhet av rörlig bild", "kunskap om lokalsamhället"),
        must=("Nyhetsjournalistik",),
        nice=("Dagstidningsjournalistik",),
        license=_LIC_B,
    ),
    Profile(
        occupation="VpYo_k5f_N9R",
        count=2,
        sectors=(("media", 1),),
        places="city",
        noun="grafisk formgivare",
        titles=("Grafisk formgivare", "Grafisk designer"),
        units=("vår byrå", "vårt kreativa team"),
        about=(
            "Vi arbetar med varumärken, kampanjer och digitala tjänster för både privata och offentliga "
            "kunder.",
        ),
        duties=(
            "ta fram grafiska koncept och layouter för tryck och digitala kanaler",
            "ansvara för original och tryckfärdiga filer",
            "utveckla grafiska profiler",
            "samarbeta med copywriters och projektledare",
        ),
        reqs=(
            "har utbildning inom grafisk design",
            "behärskar Adobe InDesign, Illustrator och Photoshop",
            "har en portfolio som visar din bredd",
        ),
        merits=("erfarenhet av Figma", "kunskap om animation och rörlig grafik"),
    ),
    Profile(
        occupation="GujS_MtW_PRH",
        count=2,
        sectors=(("kommun_tech", 1),),
        noun="bibliotekarie",
        titles=("Bibliotekarie", "Bibliotekarie med inriktning barn och unga"),
        units=("stadsbiblioteket", "biblioteket i {town}"),
        depts=("Kultur- och fritidsförvaltningen",),
        about=(
            "Biblioteket är en öppen mötesplats med program för alla åldrar.",
            "Vi har ett nära samarbete med skolorna i kommunen.",
        ),
        duties=(
            "ge service och vägledning till besökare",
            "arbeta med läsfrämjande aktiviteter för barn och unga",
            "ansvara för medieinköp inom ditt ansvarsområde",
            "hålla i programverksamhet och digital handledning",
        ),
        reqs=("har examen i biblioteks- och informationsvetenskap", "har god pedagogisk förmåga"),
        merits=("erfarenhet av läsfrämjande arbete", "kunskap i flera språk"),
        hours="mixed",
    ),
    # ---------------------------------------------------------------- Säkerhet och bevakning
    Profile(
        occupation="mobn_aTk_jS6",
        count=3,
        sectors=(("security", 1),),
        noun="väktare",
        titles=("Väktare", "Larmväktare"),
        units=("vår larmcentral i {town}", "stationerad bevakning på ett sjukhus", "ronderande bevakning"),
        about=(
            "Du arbetar med ronderande bevakning och larmutryckningar i {town} med omnejd.",
            "Vi har moderna bilar och en egen larmcentral.",
        ),
        duties=(
            "genomföra ronderingar och tillsyn hos kunder",
            "åka på larm och vidta åtgärder",
            "rapportera händelser och avvikelser",
            "ge service och trygghet till kunder och allmänhet",
        ),
        reqs=("är utbildad väktare", "har god fysik och ett lugnt bemötande"),
        merits=("utbildning som ordningsvakt", "erfarenhet av larmutryckning"),
        license=_LIC_B,
        hours="mixed",
        schedule=("Arbetet sker enligt schema dygnet runt, alla dagar i veckan.",),
    ),
    Profile(
        occupation="sgib_x6a_wnW",
        count=2,
        sectors=(("kommun_tech", 1),),
        noun="brandman",
        titles=("Brandman", "Heltidsbrandman"),
        units=("räddningstjänsten i {town}", "brandstationen i {town}"),
        depts=("Räddningstjänsten",),
        about=(
            "Räddningstjänsten arbetar både förebyggande och operativt för att skapa ett tryggt samhälle.",
            "Styrkan består av en styrkeledare och fyra brandmän per skift.",
        ),
        duties=(
            "delta i räddningsinsatser vid brand, trafikolyckor och sjukvårdslarm",
            "genomföra fysisk träning och övningar",
            "arbeta förebyggande med information och tillsyn",
            "sköta fordon, materiel och utrustning",
        ),
        reqs=(
            "har genomgått utbildning i skydd mot olyckor eller motsvarande",
            "klarar räddningstjänstens fysiska tester",
        ),
        merits=("utbildning i sjukvård", "erfarenhet av insatsarbete"),
        must=("Hjärt- och lungräddning",),
        offers=("fysisk träning på arbetstid", "skyddsutrustning"),
        license="C",
        schedule=("Arbetstiden är förlagd till dygnspass enligt schema.",),
    ),
    # ---------------------------------------------------------------- Sanering och renhållning
    Profile(
        occupation="KF64_AvU_S4N",
        count=4,
        sectors=(("cleaning", 3), ("region", 1)),
        noun="lokalvårdare",
        titles=("Lokalvårdare", "Städare"),
        units=("våra kunder i {town}", "kontorsstädningen i {town}", "vårdlokalerna", "skolor och förskolor"),
        units_by_sector={"region": ("sjukhuset i {town}", "vårdlokalerna")},
        about=(
            "Du arbetar självständigt eller i par i ditt städområde.",
            "Vi använder miljömärkta rengöringsmedel och moderna metoder.",
        ),
        duties=(
            "utföra daglig städning av kontor, trapphus och gemensamma utrymmen",
            "följa städscheman och kvalitetsrutiner",
            "hantera maskiner för golvvård",
            "rapportera avvikelser till arbetsledaren",
        ),
        reqs=("har erfarenhet av lokalvård", "är noggrann och pålitlig", "kan kommunicera på svenska"),
        merits=("utbildning i städteknik", "B-körkort"),
        nice=("Kontorsstädning", "Hygienstädning"),
        hours="part",
        temp=0.2,
        on_call=0.2,
        experience=0.3,
        schedule=("Arbetstiden är tidiga morgnar på vardagar.", "Arbetstiden är kvällar måndag till fredag."),
    ),
    Profile(
        occupation="snWH_Lp8_JfA",
        count=2,
        sectors=(("kommun_tech", 1), ("recycling", 1)),
        noun="återvinningsarbetare",
        titles=("Återvinningsarbetare", "Medarbetare, återvinningscentral"),
        units=("återvinningscentralen", "återvinningscentralen i {town}"),
        depts=("Avfall och återvinning",),
        about=(
            "Återvinningscentralen tar emot grovavfall, farligt avfall och material för återbruk.",
            "Här möter du många besökare varje dag.",
        ),
        duties=(
            "hjälpa besökare att sortera rätt",
            "hantera och köra containrar med hjullastare",
            "ta emot farligt avfall enligt rutin",
            "hålla anläggningen ren och säker",
        ),
        reqs=("är serviceinriktad och tycker om att möta människor", "trivs med att arbeta utomhus"),
        merits=("erfarenhet av hjullastare", "utbildning i hantering av farligt avfall"),
        offers=("arbetskläder",),
        license=_LIC_B,
        hours="mixed",
    ),
    # ---------------------------------------------------------------- Chefer och verksamhetsledare
    Profile(
        occupation="9rvw_tBz_kFG",
        count=2,
        sectors=(("kommun_care", 1),),
        noun="enhetschef",
        titles=("Enhetschef hemtjänst", "Enhetschef inom äldreomsorgen"),
        units=("hemtjänsten i {town}", "hemtjänstområde Väst"),
        about=(
            "Du leder omkring 40 medarbetare och har stöd av en samordnare och en administratör.",
            "Du ingår i en ledningsgrupp med andra enhetschefer inom äldreomsorgen.",
        ),
        duties=(
            "ha personal-, budget- och verksamhetsansvar för enheten",
            "leda och utveckla verksamheten med fokus på kvalitet och kontinuitet",
            "arbeta med rekrytering, schemaläggning och arbetsmiljö",
            "samverka med biståndshandläggare och hälso- och sjukvård",
        ),
        reqs=(
            "har högskoleutbildning inom vård, socialt arbete eller motsvarande",
            "har erfarenhet av att leda medarbetare",
            "har god ekonomisk förståelse",
        ),
        merits=("erfarenhet från äldreomsorg", "ledarskapsutbildning"),
        offers=("ett ledarskapsprogram för nya chefer", "stöd från HR och ekonomi"),
        depts=_ELDERCARE_DEPTS,
        roles=("Verksamhetschef", "Avdelningschef"),
        must=("Personalansvar", "Budgetansvar"),
        experience=1.0,
    ),
    Profile(
        occupation="hr5f_dci_NcD",
        count=2,
        sectors=(("kommun_school", 1), ("school_private", 1)),
        noun="rektor",
        titles=("Rektor", "Rektor F–6"),
        units=("Björkskolan", "en av våra grundskolor"),
        about=(
            "Skolan har omkring 300 elever och 40 medarbetare.",
            "Du har stöd av en biträdande rektor och en skoladministratör.",
        ),
        duties=(
            "leda och utveckla skolans pedagogiska verksamhet",
            "ansvara för personal, budget och arbetsmiljö",
            "arbeta systematiskt med kvalitet och elevernas kunskapsresultat",
            "samverka med vårdnadshavare och andra aktörer",
        ),
        reqs=(
            "har pedagogisk högskoleexamen",
            "har erfarenhet av ledarskap i skolan",
            "har genomgått eller är beredd att gå rektorsprogrammet",
        ),
        merits=("erfarenhet som rektor", "erfarenhet av skolutveckling"),
        must=("Personalansvar", "Budgetansvar"),
        depts=_SCHOOL_DEPTS,
        experience=1.0,
        roles=("Skolchef", "Verksamhetschef"),
        offers=("ett nätverk med andra rektorer", "ledarutveckling"),
    ),
    Profile(
        occupation="bjDH_v5M_2gn",
        count=2,
        sectors=(("industry", 1),),
        noun="produktionschef",
        titles=("Produktionschef",),
        units=("vår fabrik i {town}", "produktionen"),
        about=(
            "Produktionen omfattar 120 medarbetare i treskift.",
            "Du rapporterar till platschefen och ingår i ledningsgruppen.",
        ),
        duties=(
            "leda produktionen genom skiftledare och teamledare",
            "ansvara för säkerhet, kvalitet, leveransprecision och kostnad",
            "driva förbättringsarbete enligt lean",
            "ingå i fabrikens ledningsgrupp",
        ),
        reqs=(
            "har erfarenhet av ledarskap i tillverkande industri",
            "har teknisk högskoleutbildning eller motsvarande erfarenhet",
        ),
        merits=("erfarenhet av lean och ständiga förbättringar", "erfarenhet av budgetansvar"),
        must=("Personalansvar", "Lean/Ständiga förbättringar"),
        experience=1.0,
        roles=("Platschef", "VD"),
    ),
    # ---------------------------------------------------------------- Yrken med teknisk inriktning
    Profile(
        occupation="y2J4_Kxs_TVQ",
        count=3,
        sectors=(("engineering", 1),),
        noun="konstruktör",
        titles=("Maskinkonstruktör", "Konstruktör mekanik", "Mekanikkonstruktör"),
        units=("vår konstruktionsavdelning", "vårt kontor i {town}", "utvecklingsavdelningen"),
        about=(
            "Vi utvecklar maskiner och utrustning från idé till produktion.",
            "Du arbetar i projektteam med el- och automationskonstruktörer.",
        ),
        duties=(
            "konstruera maskindelar och utrustning i 3D-CAD",
            "ta fram tillverkningsunderlag och ritningar",
            "göra hållfasthetsberäkningar och toleransanalyser",
            "delta i tester och uppföljning i produktionen",
            "ha kontakt med kunder och leverantörer",
        ),
        reqs=(
            "har högskoleingenjörsexamen inom maskinteknik eller motsvarande",
            "har erfarenhet av SolidWorks, Inventor eller Creo",
            "har god kunskap om ritningsstandarder",
        ),
        merits=("erfarenhet av CE-märkning och maskindirektivet", "erfarenhet av FEM-beräkningar"),
        must=("Ritningsläsning",),
        nice=("Tillv.industri-AutoCAD Mechanical",),
        english=1,
        en=EnglishText(
            titles=("Mechanical Design Engineer", "Mechanical Engineer"),
            noun="mechanical design engineer",
            units=("our engineering department", "the R&D team"),
            about=("We develop machines and equipment from idea to production.",),
            duties=(
                "design machine parts and equipment in 3D CAD",
                "produce manufacturing drawings",
                "run strength calculations and tolerance analyses",
                "support testing and production follow-up",
            ),
            reqs=(
                "hold a degree in mechanical engineering or similar",
                "are experienced with SolidWorks, Inventor or Creo",
            ),
            merits=("experience with CE marking and the Machinery Directive", "FEM analysis experience"),
        ),
    ),
    Profile(
        occupation="EGeL_Yk2_ZWE",
        count=2,
        sectors=(("engineering", 1),),
        noun="elkonstruktör",
        titles=("Elkonstruktör", "Elkonstruktör, automation"),
        units=("vår elavdelning", "vårt kontor i {town}"),
        about=(
            "Vi konstruerar el- och styrsystem för maskiner och industrianläggningar.",
            "Du arbetar nära mekanikkonstruktörer och PLC-programmerare.",
        ),
        duties=(
            "konstruera elscheman och styrsystem i EPLAN",
            "dimensionera komponenter och ta fram dokumentation",
            "delta i driftsättning hos kunder",
            "samarbeta med mekanik- och programmeringskollegor",
        ),
        reqs=(
            "har högskoleingenjörsexamen inom elektroteknik eller automation",
            "har erfarenhet av elkonstruktion",
        ),
        merits=("kunskap om PLC-programmering", "erfarenhet av maskinsäkerhet"),
        nice=("PLC (programmerbart styrsystem)", "Elschema-AutoCAD Electrical"),
        english=1,
        en=EnglishText(
            titles=("Electrical Design Engineer",),
            noun="electrical design engineer",
            units=("our electrical team",),
            about=("We design electrical and control systems for machines and industrial plants.",),
            duties=(
                "design electrical schematics and control systems in EPLAN",
                "size components and produce documentation",
                "take part in commissioning at customer sites",
            ),
            reqs=(
                "hold a degree in electrical engineering or automation",
                "have experience in electrical design",
            ),
            merits=("PLC programming skills", "machine safety experience"),
        ),
    ),
    # ---------------------------------------------------------------- Naturvetenskap
    Profile(
        occupation="Pj8T_bST_f7D",
        count=3,
        sectors=(("region", 1),),
        noun="biomedicinsk analytiker",
        titles=("Biomedicinsk analytiker", "Legitimerad biomedicinsk analytiker"),
        units=("klinisk kemi", "laboratoriemedicin", "mikrobiologiska laboratoriet"),
        about=(
            "Laboratoriet analyserar omkring 8 000 prover per dygn och är ackrediterat.",
            "Vi har en modern instrumentpark och ett stort kollegialt stöd.",
        ),
        duties=(
            "utföra analyser inom klinisk kemi och hematologi",
            "hantera och kvalitetssäkra provflöden",
            "sköta instrument och felsöka vid behov",
            "delta i metodutveckling och kvalitetsarbete",
        ),
        reqs=(
            "har svensk legitimation som biomedicinsk analytiker",
            "är noggrann och har ett strukturerat arbetssätt",
        ),
        merits=("erfarenhet av laboratoriedatasystem", "erfarenhet från ackrediterat laboratorium"),
        hours="mixed",
        schedule=("Arbetstiden är dagtid med inslag av kvällar och helger.",),
    ),
    Profile(
        occupation="HtLv_4EJ_o5r",
        count=2,
        sectors=(("lab", 1),),
        noun="kemist",
        titles=("Kemist", "Analytisk kemist"),
        units=("vårt laboratorium", "analysavdelningen"),
        about=(
            "Vi analyserar prover åt industri och myndigheter och är ackrediterade.",
            "Laboratoriet har flera nya masspektrometrar.",
        ),
        duties=(
            "utveckla och validera analysmetoder",
            "genomföra analyser med HPLC och GC-MS",
            "utvärdera och rapportera resultat",
            "delta i kvalitetsarbete och revisioner",
        ),
        reqs=("har civilingenjörs- eller masterexamen i kemi", "har erfarenhet av instrumentell analys"),
        merits=("erfarenhet av LC-MS", "erfarenhet av arbete enligt GMP"),
        must=("Analytisk kemi",),
        english=1,
        en=EnglishText(
            titles=("Analytical Chemist", "Chemist"),
            noun="analytical chemist",
            units=("our laboratory",),
            about=("We analyse samples for industry and authorities and are ISO 17025 accredited.",),
            duties=(
                "develop and validate analytical methods",
                "run analyses with HPLC and GC-MS",
                "evaluate and report results",
            ),
            reqs=("hold an MSc in chemistry", "have hands-on experience of instrumental analysis"),
            merits=("LC-MS experience", "GMP experience"),
        ),
    ),
    # ---------------------------------------------------------------- Militära yrken
    Profile(
        occupation="UDVa_DtE_Fpb",
        count=2,
        sectors=(("military", 1),),
        places=("Boden", "Karlskrona", "Enköping", "Arvidsjaur"),
        noun="soldat",
        titles=("Soldat", "Soldat, kontinuerlig tjänstgöring"),
        units=("vårt kompani", "en av våra bataljoner"),
        about=(
            "Som soldat ingår du i ett förband som utbildar sig för att kunna lösa uppgifter i Sverige "
            "och utomlands.",
            "Du tjänstgör i en grupp där kamratskap och tillit är avgörande.",
        ),
        duties=(
            "delta i utbildning och övningar i fält",
            "sköta och vårda vapen, fordon och materiel",
            "bidra till gruppens förmåga i olika typer av uppdrag",
            "hålla en god fysisk nivå",
        ),
        reqs=("har genomfört grundutbildning eller värnplikt", "har god fysik", "är svensk medborgare"),
        merits=("B- eller C-körkort", "erfarenhet av internationell tjänst"),
        notes=("Tjänsten är placerad i säkerhetsklass och säkerhetsprövning genomförs före anställning.",),
        experience=0.5,
    ),
    # ---------------------------------------------------------------- Kropps- och skönhetsvård
    Profile(
        occupation="tuoE_9Nj_fAS",
        count=2,
        sectors=(("salon", 1),),
        noun="frisör",
        titles=("Frisör", "Frisör med gesällbrev"),
        units=("vår salong i {town}", "salongen"),
        about=(
            "Salongen har ett trivsamt team och många trogna kunder.",
            "Vi använder hållbara produkter och arbetar mycket med färg.",
        ),
        duties=(
            "klippa, färga och styla kunder",
            "ge råd om hårvård och produkter",
            "sköta tidbokning och kassa",
            "hålla salongen ren och välkomnande",
        ),
        reqs=("har gesällbrev eller lång erfarenhet som frisör", "är social och serviceinriktad"),
        merits=("specialkunskap inom färg", "en egen kundkrets"),
        pay="mixed",
    ),
    # ---------------------------------------------------------------- Hantverk
    Profile(
        occupation="XugJ_6hw_wVV",
        count=2,
        sectors=(("bakery", 1),),
        noun="bagare",
        titles=("Bagare", "Bagare/konditor"),
        units=("vårt bageri", "bageriet i {town}"),
        about=(
            "Vi bakar allt från grunden med surdeg och ekologiskt mjöl.",
            "Bageriet har ett eget kafé med många stamgäster.",
        ),
        duties=(
            "baka bröd, bullar och kakor",
            "förbereda degar och fyllningar",
            "ansvara för ugnar och bakschema",
            "följa rutiner för hygien och egenkontroll",
        ),
        reqs=("har erfarenhet av bageriarbete", "kan arbeta tidiga morgnar"),
        merits=("utbildning som bagare eller konditor", "erfarenhet av surdegsbakning"),
        schedule=("Arbetstiden börjar tidigt på morgonen, ungefär klockan fyra.",),
    ),
)


# ---------------------------------------------------------------------------------------
# Assembly.
# ---------------------------------------------------------------------------------------

PLURAL_TITLES = frozenset({"Sjuksköterskor", "Undersköterskor", "Personliga assistenter"})
SV_HEADLINES = (
    ("{title} till {unit}", 3),
    ("{title} – {town}", 2),
    ("{title} till {short}", 2),
    ("{title}", 1),
    ("{title} sökes till {unit}", 1),
)
EN_HEADLINES = (("{title} – {town}", 2), ("{title} at {short}", 2), ("{title}", 1))
SOURCE_TYPES = (("VIA_PLATSBANKEN_DXA", 70), ("VIA_ANNONSERA", 25), ("VIA_AF_FORMULAR", 5))
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "ć": "c", "æ": "ae", "ø": "o"})

Block = tuple[str, Any]
"""("h", heading) | ("p", paragraph) | ("ul", [items]) — rendered both as text and as HTML."""


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights, k=1)[0]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """Lower-case a title for use mid-sentence, but keep acronyms ("CTO", "HR-partner")."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _join(items: Sequence[str], word: str = "och") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {word} {items[-1]}"


def _fold(text: str) -> str:
    """ASCII form of a name for e-mail addresses and URL paths."""
    folded = text.lower().translate(_FOLD)
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in ".-") else "-" for ch in folded).strip("-")


def _slug(text: str) -> str:
    parts = [p for p in _fold(text.replace(" ", "-")).split("-") if p]
    return "-".join(parts)


def _digest(text: str) -> int:
    """A stable number from a text (Python's ``hash`` is salted per process)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _luhn_digit(nine: str) -> int:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def fake_org_number(prefix: str, name: str) -> str:
    """A realistic-looking organisation number whose check digit is deliberately wrong.

    Real Swedish organisation numbers end in a Luhn check digit; with a wrong one this can
    never be a real organisation's number, whatever the prefix.
    """
    number = _digest(name)
    body = (prefix + f"{number:020d}")[:9]
    correct = _luhn_digit(body)
    wrong = (correct + 1 + number % 9) % 10
    return body + str(wrong)


def _nice_number(rng: random.Random, low: int, high: int) -> int:
    n = rng.randint(low, high)
    if n >= 1000:
        return round(n, -2)
    if n >= 100:
        return round(n, -1)
    return n


@dataclass(frozen=True, slots=True)
class Employer:
    """An employer as it appears in one ad."""

    name: str
    short: str
    workplace: str
    org_number: str
    domain: str
    kind: str
    dept: str = ""


def _make_employer(rng: random.Random, sector: Sector, profile: Profile, muni: Municipality) -> Employer:
    town = muni.city
    if sector.kind == "region":
        name = REGIONS[muni.region_id][2]
        workplace = profile.public_workplace.format(town=town) if profile.public_workplace else name
        return Employer(name, name, workplace, fake_org_number("232100", name), "example.org", "region")
    if sector.kind == "kommun":
        name = muni.employer
        dept = rng.choice(profile.depts or sector.depts)
        return Employer(
            name, name, f"{name}, {dept}", fake_org_number("212000", name), "example.org", "kommun", dept
        )
    name = rng.choice(sector.names)
    if sector.kind == "military":
        return Employer(name, name, name, fake_org_number("202100", name), "example.org", "military")
    short = name.removesuffix(" AB").removesuffix(" KB")
    return Employer(name, short, short, fake_org_number("559", name), "example.com", "private")


def _pick_municipality(rng: random.Random, profile: Profile, unused: list[str]) -> Municipality:
    """Where the job is. ``unused`` lists municipalities without an ad yet: trades that can be
    anywhere sometimes take one of those, so every municipality in the table gets ads."""
    if isinstance(profile.places, tuple):
        return MUNICIPALITY_BY_NAME[rng.choice(profile.places)]
    if profile.places == "any" and unused and rng.random() < 0.4:
        return MUNICIPALITY_BY_NAME[unused[rng.randrange(len(unused))]]
    if profile.places == "city":
        pool = [(m, m.weight**1.5) for m in MUNICIPALITIES if m.weight >= 1.5]
    elif profile.places == "rural":
        pool = [(m, 1.0) for m in MUNICIPALITIES if m.weight <= 1.0]
    else:
        pool = [(m, m.weight) for m in MUNICIPALITIES]
    return _weighted(rng, pool)


def _pick_days_ago(rng: random.Random) -> int:
    """How many days before the reference date an ad was published: recent days and weekdays
    are likelier, as on Platsbanken."""
    options = []
    for k in range(MAX_PAST_DAYS + 1):
        day = REFERENCE_DATE - timedelta(days=k)
        options.append((k, (1.0 if day.weekday() < 5 else 0.25) * (1.0 - k / 40)))
    return _weighted(rng, options)


def _local(d: date, t: time) -> str:
    return datetime.combine(d, t).strftime("%Y-%m-%dT%H:%M:%S")


def _epoch_ms(d: date, t: time) -> int:
    aware = datetime.combine(d, t, tzinfo=STOCKHOLM).astimezone(UTC)
    return int(aware.timestamp()) * 1000


def _skill(label: str, weight: int) -> dict[str, Any]:
    cid, legacy = SKILLS[label]
    return {"weight": weight, "concept_id": cid, "label": label, "legacy_ams_taxonomy_id": legacy}


def _weighted_concept(concept: dict[str, Any], weight: int) -> dict[str, Any]:
    return {"weight": weight, **concept}


def _occupation_concepts(occupation_id: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    label, legacy, group_id = OCCUPATIONS[occupation_id]
    group_label, ssyk, field_id = GROUPS[group_id]
    field_label, field_legacy = FIELDS[field_id]
    return (
        _concept(occupation_id, label, legacy),
        _concept(group_id, group_label, ssyk),
        _concept(field_id, field_label, field_legacy),
    )


@dataclass(slots=True)
class Terms:
    """Employment form of one ad, in schema concepts and in words."""

    employment_type: dict[str, Any]
    duration: dict[str, Any] | None
    hours: dict[str, Any]
    scope: dict[str, int | None]
    salary_type: dict[str, Any]
    salary_kind: str
    months: int = 0
    permanent: bool = False
    on_call: bool = False


def _make_terms(rng: random.Random, profile: Profile) -> Terms:
    r = rng.random()
    on_call = r < profile.on_call
    temp = not on_call and r < profile.on_call + profile.temp
    part = profile.hours == "part" or (profile.hours == "mixed" and rng.random() < 0.35)
    salary_type = {"fixed": SALARY_FIXED, "mixed": SALARY_MIXED, "commission": SALARY_COMMISSION}[profile.pay]
    if on_call:
        return Terms(
            EMPLOYMENT_ON_CALL,
            None,
            PART_TIME,
            {"min": 0, "max": 100},
            salary_type,
            "hourly" if profile.pay == "fixed" else profile.pay,
            on_call=True,
        )
    hours = PART_TIME if part else FULL_TIME
    pct = rng.choice((50, 60, 75, 80, 90)) if part else 100
    scope: dict[str, int | None] = {"min": pct, "max": pct}
    if temp:
        months = rng.choice((3, 4, 5, 6, 9, 12, 12))
        duration = DURATION_6M_PLUS if months >= 6 else DURATION_3_6M
        return Terms(EMPLOYMENT_REGULAR, duration, hours, scope, salary_type, profile.pay, months=months)
    return Terms(
        EMPLOYMENT_REGULAR, DURATION_PERMANENT, hours, scope, salary_type, profile.pay, permanent=True
    )


# ---- text --------------------------------------------------------------------------------


@dataclass(slots=True)
class Facts:
    """Everything the text of one ad may mention."""

    english: bool
    profile: Profile
    sector: Sector
    employer: Employer
    muni: Municipality
    unit: str
    noun: str
    terms: Terms
    license: str | None
    contact_name: str
    contact_role: str
    contact_phone: str
    contact_email: str
    apply_url: str | None
    apply_email: str | None
    via_af: bool
    reference: str
    salary_text: str
    start: int
    """Index into the start-date phrases, so text and ``conditions`` agree."""


def _fmt(template: str, facts: Facts, **extra: str) -> str:
    region = REGIONS[facts.muni.region_id]
    values = {
        "town": facts.muni.city,
        "employer": facts.employer.name,
        "short": facts.employer.short,
        "lan": region[0],
        "dept": facts.employer.dept,
        "noun": facts.noun,
        "unit": facts.unit,
    }
    values.update(extra)
    return template.format(**values)


def _pick(rng: random.Random, pool: Sequence[str], low: int, high: int) -> list[str]:
    """A random selection of ``low``..``high`` items (clamped to the pool), in random order."""
    low = min(low, len(pool))
    high = max(low, min(high, len(pool)))
    return rng.sample(list(pool), rng.randint(low, high))


def _intro(rng: random.Random, facts: Facts) -> str:
    sector, employer = facts.sector, facts.employer
    n = _nice_number(rng, *sector.size)
    if employer.kind == "kommun":
        n = _nice_number(rng, 800, int(900 + facts.muni.weight * 2500))
    n_text = f"{n:,}".replace(",", " ")
    if facts.english:
        template = rng.choice(EN_PRIVATE_INTROS)
        text = _fmt(
            template,
            facts,
            business=rng.choice(sector.business_en),
            year=str(rng.randint(1965, 2019)),
            n=n_text,
            loc=_fmt(rng.choice(EN_LOC), facts),
            adj=rng.choice(EN_ADJ),
            belief=rng.choice(EN_BELIEF),
            value=rng.choice(sector.values_en),
        )
        extra = [v for v in sector.values_en if v not in text]
    else:
        if employer.kind == "region":
            template = rng.choice(SV_REGION_INTROS)
        elif employer.kind == "kommun":
            template = rng.choice(SV_KOMMUN_INTROS)
        elif employer.kind == "military":
            template = rng.choice(SV_MILITARY_INTROS)
        else:
            template = rng.choice(SV_PRIVATE_INTROS)
        business = rng.choice(sector.business) if sector.business else ""
        text = _fmt(
            template,
            facts,
            business=business,
            year=str(rng.randint(1965, 2019)),
            n=n_text,
            loc=_fmt(rng.choice(SV_LOC), facts),
            adj=rng.choice(SV_ADJ),
            belief=rng.choice(SV_BELIEF),
            value=rng.choice(sector.values) if sector.values else "",
        )
        extra = [v for v in sector.values if v not in text]
    if extra and rng.random() < 0.6:
        text += " " + rng.choice(extra)
    return text.strip()


def _render(blocks: list[Block], bullet: str) -> tuple[str, str]:
    """Plain text (as ``description.text``) and simple HTML (as ``text_formatted``).

    In the text a heading sits directly above its content and sections are separated by a
    blank line, which is how Platsbanken ads read when their HTML is stripped.
    """
    lines: list[str] = []
    html_parts: list[str] = []
    prev = ""
    for kind, content in blocks:
        tight = prev == "h" or (prev == "p" and kind == "ul" and lines[-1].endswith(":"))
        if lines and not tight:
            lines.append("")
        if kind == "h":
            lines.append(content)
            html_parts.append(f"<p><strong>{html.escape(content, quote=False)}</strong></p>")
        elif kind == "p":
            lines.append(content)
            html_parts.append(f"<p>{html.escape(content, quote=False)}</p>")
        else:
            lines.extend(f"{bullet} {item}" for item in content)
            items = "".join(f"<li>{html.escape(item, quote=False)}</li>" for item in content)
            html_parts.append(f"<ul>{items}</ul>")
        prev = kind
    return "\n".join(lines), "".join(html_parts)


def _blocks_sv(rng: random.Random, facts: Facts, size: int) -> list[Block]:
    """Swedish ad body; ``size`` is -1 (compact), 0 (normal) or 1 (rich)."""
    p, sector = facts.profile, facts.sector
    blocks: list[Block] = []
    if rng.random() < 0.5:
        blocks.append(("h", _fmt(rng.choice(SV_H_ABOUT), facts)))
    blocks.append(("p", _intro(rng, facts)))

    # Om tjänsten
    blocks.append(("h", rng.choice(SV_H_ROLE)))
    openers = [o for o in SV_OPENERS if "{unit} i {town}" not in o or "{town}" not in facts.unit]
    about = _pick(rng, p.about, 1 if size <= 0 else 2, {-1: 1, 0: 3, 1: 3}[size])
    blocks.append(("p", " ".join([_fmt(rng.choice(openers), facts)] + [_fmt(a, facts) for a in about])))
    duties = _pick(rng, p.duties, 4 + min(size, 0), 6 + size)
    if rng.random() < 0.65:
        blocks.append(("p", rng.choice(SV_DUTY_LEADS)))
        blocks.append(("ul", [_upper_first(d) for d in duties]))
    else:
        blocks.append(("p", _fmt(rng.choice(SV_DUTY_SENTENCES), facts, list=_join(duties))))

    # Vi söker dig som
    reqs = _pick(rng, p.reqs, 2, len(p.reqs) + min(size, 0))
    if facts.license:
        reqs.append(f"har {facts.license}-körkort")
    if not any("svensk" in r or "tal och skrift" in r for r in reqs) and rng.random() < 0.5:
        reqs.append(rng.choice(SV_LANGUAGE_REQS))
    heading = rng.choice(SV_H_PROFILE)
    blocks.append(("h", heading))
    if heading == "Vi söker dig som":
        blocks.append(("ul", [_upper_first(r) for r in reqs]))
    elif rng.random() < 0.5:
        blocks.append(("ul", [f"Du {r}" for r in reqs]))
    else:
        blocks.append(("p", rng.choice(SV_REQ_SENTENCES).format(list=_join(reqs))))
    traits = rng.sample(list(p.traits or SV_TRAITS), 3)
    blocks.append(
        (
            "p",
            rng.choice(SV_TRAIT_SENTENCES).format(
                a=traits[0], b=traits[1], c=traits[2], c_verb=rng.choice(SV_TRAIT_VERBS)
            ),
        )
    )

    # Meriterande
    merits = [m for m in p.merits if not (facts.license and f"{facts.license}-körkort" in m)]
    if merits and size >= 0 and rng.random() < 0.8:
        chosen = _pick(rng, merits, 1, 3)
        heading = rng.choice(SV_H_MERIT)
        if heading == "Det är meriterande om du har" or rng.random() < 0.5:
            blocks.append(("h", heading))
            blocks.append(("ul", [_upper_first(m) for m in chosen]))
        else:
            blocks.append(("p", rng.choice(SV_MERIT_SENTENCES).format(list=_join(chosen))))

    # Vi erbjuder
    offers = _pick(rng, sector.offers + p.offers, 2, 3 + size)
    if rng.random() < 0.6:
        offers.append(rng.choice(SV_GENERIC_OFFERS))
    blocks.append(("h", rng.choice(SV_H_OFFER)))
    if rng.random() < 0.5:
        blocks.append(("ul", [_upper_first(o) for o in offers]))
    else:
        blocks.append(("p", rng.choice(SV_OFFER_SENTENCES).format(list=_join(offers))))

    # Anställningsvillkor
    blocks.append(("h", rng.choice(SV_H_TERMS)))
    blocks.append(("p", _terms_sv(rng, facts)))

    # Ansökan
    blocks.append(("h", rng.choice(SV_H_APPLY)))
    if facts.via_af:
        apply = "Ansök via Platsbanken."
    elif facts.apply_url:
        apply = rng.choice(SV_APPLY_URL)
    else:
        apply = rng.choice(SV_APPLY_EMAIL).format(email=facts.apply_email, ref=facts.reference)
    blocks.append(("p", f"{apply} {rng.choice(SV_SELECTION)}"))
    contact = rng.choice(SV_CONTACT).format(
        role=_lower_first(facts.contact_role),
        name=facts.contact_name,
        phone=facts.contact_phone,
        email=facts.contact_email,
    )
    if sector.union and rng.random() < 0.6:
        contact += " " + sector.union
    blocks.append(("p", contact))
    tail = [t for t in (p.check or sector.check,) if t]
    if size >= 0 and rng.random() < 0.5:
        tail.append(rng.choice(SV_CLOSING))
    if tail:
        blocks.append(("p", " ".join(tail)))
    return blocks


def _terms_sv(rng: random.Random, facts: Facts) -> str:
    t, p = facts.terms, facts.profile
    pct = t.scope["max"]
    if t.on_call:
        parts = ["Timanställning vid behov, främst kvällar, helger och semesterperioder."]
    elif t.permanent:
        if t.hours is FULL_TIME:
            parts = [
                rng.choice(
                    (
                        "Tillsvidareanställning på heltid.",
                        "Tillsvidareanställning, heltid 100 %.",
                        "Tjänsten är en tillsvidareanställning på heltid.",
                    )
                )
            ]
        else:
            parts = [f"Tillsvidareanställning på deltid, {pct} %."]
        if rng.random() < 0.4:
            parts.append(rng.choice(SV_PROBATION))
    else:
        extent = "heltid" if t.hours is FULL_TIME else f"deltid ({pct} %)"
        if t.months >= 6:
            parts = [
                rng.choice(
                    (
                        f"Vikariat på {extent} i {t.months} månader med möjlighet till förlängning.",
                        f"Visstidsanställning på {extent} under {t.months} månader.",
                    )
                )
            ]
        else:
            parts = [f"Visstidsanställning på {extent} i {t.months} månader."]
    if p.schedule and rng.random() < 0.7:
        parts.append(rng.choice(p.schedule))
    parts.append(SV_START[facts.start])
    if rng.random() < 0.5:
        parts.append(f"Lön: {_lower_first(facts.salary_text).rstrip('.')}.")
    parts.extend(p.notes)
    return " ".join(parts)


def _blocks_en(rng: random.Random, facts: Facts, size: int) -> list[Block]:
    """English ad body (a few Platsbanken ads are written in English)."""
    p, sector = facts.profile, facts.sector
    en = p.en
    assert en is not None
    blocks: list[Block] = []
    if rng.random() < 0.5:
        blocks.append(("h", _fmt(rng.choice(EN_H_ABOUT), facts)))
    blocks.append(("p", _intro(rng, facts)))
    blocks.append(("h", rng.choice(EN_H_ROLE)))
    a_noun = ("an " if facts.noun[:1].lower() in "aeio" else "a ") + facts.noun
    openers = [o for o in EN_OPENERS if "in {town}" not in o or "{town}" not in facts.unit]
    about = _pick(rng, en.about, 1, 3 if size > 0 else 2)
    blocks.append(
        ("p", " ".join([_fmt(rng.choice(openers), facts, a_noun=a_noun)] + [_fmt(a, facts) for a in about]))
    )
    duties = _pick(rng, en.duties, 3, 5 + size)
    if rng.random() < 0.6:
        blocks.append(("p", rng.choice(EN_DUTY_LEADS)))
        blocks.append(("ul", [_upper_first(d) for d in duties]))
    else:
        blocks.append(("p", rng.choice(EN_DUTY_SENTENCES).format(list=_join(duties, "and"))))
    reqs = _pick(rng, en.reqs, 2, len(en.reqs))
    blocks.append(("h", rng.choice(EN_H_PROFILE)))
    if rng.random() < 0.5:
        blocks.append(("p", rng.choice(EN_REQ_BULLET_LEAD)))
        blocks.append(("ul", [_upper_first(r) for r in reqs]))
    else:
        blocks.append(("p", rng.choice(EN_REQ_SENTENCES).format(list=_join(reqs, "and"))))
    traits = rng.sample(list(EN_TRAITS), 3)
    blocks.append(("p", rng.choice(EN_TRAIT_SENTENCES).format(a=traits[0], b=traits[1], c=traits[2])))
    if en.merits and size >= 0 and rng.random() < 0.8:
        chosen = _pick(rng, en.merits, 1, 2)
        blocks.append(("h", rng.choice(EN_H_MERIT)))
        blocks.append(("ul", [_upper_first(m) for m in chosen]))
    offers = _pick(rng, sector.offers_en, 2, 3 + size)
    if rng.random() < 0.5:
        offers.append(rng.choice(EN_GENERIC_OFFERS))
    blocks.append(("h", rng.choice(EN_H_OFFER)))
    blocks.append(("p", rng.choice(EN_OFFER_SENTENCES).format(list=_join(offers, "and"))))
    blocks.append(("h", rng.choice(EN_H_TERMS)))
    t = facts.terms
    extent = "full-time" if t.hours is FULL_TIME else f"part-time ({t.scope['max']}%)"
    if t.permanent:
        terms = f"Permanent {extent} position."
    else:
        terms = f"Fixed-term {extent} position for {t.months} months, with the possibility of extension."
    terms += f" {EN_START[facts.start % len(EN_START)]} Salary: {facts.salary_text}."
    if p.notes:
        terms += " The position is subject to security vetting."
    blocks.append(("p", terms))
    blocks.append(("h", rng.choice(EN_H_APPLY)))
    if facts.apply_url:
        apply = rng.choice(EN_APPLY_URL)
    else:
        apply = rng.choice(EN_APPLY_EMAIL).format(email=facts.apply_email, ref=facts.reference)
    blocks.append(("p", f"{apply} {rng.choice(EN_SELECTION)}"))
    blocks.append(
        (
            "p",
            rng.choice(EN_CONTACT).format(
                role=_lower_first(facts.contact_role),
                name=facts.contact_name,
                phone=facts.contact_phone,
                email=facts.contact_email,
            ),
        )
    )
    if size >= 0 and rng.random() < 0.4:
        blocks.append(("p", rng.choice(EN_CLOSING)))
    return blocks


MIN_WORDS = 120
MAX_WORDS = 450


def _description(rng: random.Random, facts: Facts) -> tuple[str, str]:
    """Build the ad text; if it falls outside 120–450 words, rebuild it shorter or richer."""
    seed = rng.getrandbits(64)
    bullet = rng.choice(("-", "•"))
    build = _blocks_en if facts.english else _blocks_sv
    text, html_text = _render(build(random.Random(seed), facts, 0), bullet)
    words = len(text.split())
    if words > MAX_WORDS or words < MIN_WORDS:
        size = -1 if words > MAX_WORDS else 1
        text, html_text = _render(build(random.Random(seed), facts, size), bullet)
    return text, html_text


# ---- one ad ------------------------------------------------------------------------------


def _make_ad(rng: random.Random, profile: Profile, english: bool, unused: list[str]) -> dict[str, Any]:
    """One ad without its id (ids are handed out in publication order afterwards)."""
    sector_options = [(key, w) for key, w in profile.sectors if not english or SECTORS[key].business_en]
    sector_key = _weighted(rng, sector_options)
    sector = SECTORS[sector_key]
    muni = _pick_municipality(rng, profile, unused)
    if muni.name in unused:
        unused.remove(muni.name)
    employer = _make_employer(rng, sector, profile, muni)
    if english:
        assert profile.en is not None
        units, titles, noun = profile.en.units, profile.en.titles, profile.en.noun
    else:
        units = profile.units_by_sector.get(sector_key, profile.units)
        titles, noun = profile.titles, profile.noun
    town = muni.city
    unit = rng.choice(units).format(town=town)
    title = rng.choice(titles)
    terms = _make_terms(rng, profile)
    license = profile.license if profile.license and rng.random() < profile.license_share else None

    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    roles = sector.roles_en if english else (profile.roles or sector.roles)
    initials = _fold("".join(w[0] for w in employer.short.split()[:2])).upper()
    reference = f"{initials or 'REF'}-{rng.randint(1000, 9999)}"
    source_type = _weighted(rng, SOURCE_TYPES) if not english else "VIA_PLATSBANKEN_DXA"
    via_af = source_type == "VIA_AF_FORMULAR"
    apply_url = apply_email = None
    if not via_af:
        if rng.random() < 0.75:
            apply_url = f"https://{employer.domain}/jobb/{_slug(employer.short)}/{reference.lower()}"
        if apply_url is None or rng.random() < 0.2:
            apply_email = f"{rng.choice(('jobb', 'rekrytering', 'ansokan'))}@{employer.domain}"
    salary_pool = (SALARY_TEXTS_EN if english else SALARY_TEXTS)[terms.salary_kind]
    facts = Facts(
        english=english,
        profile=profile,
        sector=sector,
        employer=employer,
        muni=muni,
        unit=unit,
        noun=noun,
        terms=terms,
        license=license,
        contact_name=f"{first} {last}",
        contact_role=rng.choice(roles),
        contact_phone=f"070-174 06 {rng.randint(5, 99):02d}",
        contact_email=f"{_fold(first)}.{_fold(last)}@{employer.domain}",
        apply_url=apply_url,
        apply_email=apply_email,
        via_af=via_af,
        reference=reference,
        salary_text=rng.choice(salary_pool),
        start=rng.randrange(len(SV_START)),
    )
    headline = _fmt(_weighted(rng, EN_HEADLINES if english else SV_HEADLINES), facts, title=title)
    text, text_html = _description(rng, facts)

    occupation, group, field_ = _occupation_concepts(profile.occupation)
    experience = rng.random() < profile.experience
    if rng.random() < 0.85:
        must_skills = [_skill(s, 10) for s in _pick(rng, profile.must, 1, len(profile.must))]
        nice_skills = [_skill(s, 5) for s in _pick(rng, profile.nice, 0, 3)]
    else:
        must_skills, nice_skills = [], []
    must_lang: list[dict[str, Any]] = []
    nice_lang: list[dict[str, Any]] = []
    if english:
        must_lang.append(_weighted_concept(ENGLISH, 10))
        if rng.random() < 0.5:
            nice_lang.append(_weighted_concept(SWEDISH, 5))
    else:
        if rng.random() < 0.6:
            must_lang.append(_weighted_concept(SWEDISH, 10))
        if rng.random() < 0.2:
            nice_lang.append(_weighted_concept(ENGLISH, 5))
    work_experiences = [_weighted_concept(occupation, 10)] if experience and rng.random() < 0.7 else []

    days_ago = _pick_days_ago(rng)
    pub_day = REFERENCE_DATE - timedelta(days=days_ago)
    hour = _weighted(rng, [(h, 3.0 if 8 <= h <= 16 else 1.0) for h in range(6, 22)])
    pub_time = time(hour, rng.randint(0, 59), rng.randint(0, 59))
    open_days = rng.randint(max(14, days_ago + MIN_REMAINING_DAYS), 42)
    last_day = pub_day + timedelta(days=open_days)
    last = _local(last_day, time(23, 59, 59))

    street = None
    if rng.random() < 0.35:
        street = f"{rng.choice(STREETS)} {rng.randint(1, 60)}"
    coordinates = [
        round(muni.lon + rng.uniform(-0.012, 0.012), 6),
        round(muni.lat + rng.uniform(-0.006, 0.006), 6),
    ]
    region_name, region_code, _ = REGIONS[muni.region_id]
    contacts = []
    if rng.random() < 0.75:
        contacts.append(
            {
                "name": facts.contact_name,
                "description": facts.contact_role,
                "email": facts.contact_email,
                "telephone": facts.contact_phone,
                "contact_type": None,
            }
        )
    vacancies = rng.randint(2, 4) if title in PLURAL_TITLES else (1 if rng.random() < 0.88 else 2)
    start = SV_START[facts.start].rstrip(".")
    if terms.on_call:
        duration_word = "Timanställning"
    elif terms.permanent:
        duration_word = "Tillsvidare"
    else:
        duration_word = f"Visstid {terms.months} månader"
    conditions = f"{duration_word}, {terms.scope['max']}%, {start}"

    return {
        "id": "",
        "external_id": None,
        "original_id": None,
        "label": [],
        "webpage_url": "",
        "logo_url": None,
        "headline": headline,
        "application_deadline": last,
        "number_of_vacancies": vacancies,
        "description": {
            "text": text,
            "text_formatted": text_html,
            "company_information": None,
            "needs": None,
            "requirements": None,
            "conditions": conditions,
        },
        "employment_type": dict(terms.employment_type),
        "salary_type": dict(terms.salary_type),
        "salary_description": _upper_first(facts.salary_text),
        "duration": dict(terms.duration) if terms.duration else None,
        "working_hours_type": dict(terms.hours),
        "scope_of_work": terms.scope,
        "access": None,
        "employer": {
            "phone_number": None,
            "email": None,
            "url": f"https://{employer.domain}/{_slug(employer.short)}" if rng.random() < 0.5 else None,
            "organization_number": employer.org_number,
            "name": employer.name,
            "workplace": employer.workplace,
        },
        "application_details": {
            "information": None,
            "reference": reference,
            "email": apply_email,
            "via_af": via_af,
            "url": apply_url,
            "other": None,
        },
        "experience_required": experience,
        "access_to_own_car": False,
        "driving_license_required": license is not None,
        "driving_license": [dict(DRIVING_LICENSES[license])] if license else None,
        "occupation": occupation,
        "occupation_group": group,
        "occupation_field": field_,
        "workplace_address": {
            "municipality": muni.name,
            "municipality_code": muni.code,
            "municipality_concept_id": muni.concept_id,
            "region": region_name,
            "region_code": region_code,
            "region_concept_id": muni.region_id,
            "country": COUNTRY_SWEDEN[0],
            "country_code": COUNTRY_SWEDEN[1],
            "country_concept_id": COUNTRY_SWEDEN[2],
            "street_address": street,
            "postcode": None,
            "city": town if street else None,
            "coordinates": coordinates,
        },
        "must_have": {
            "skills": must_skills,
            "languages": must_lang,
            "work_experiences": work_experiences,
            "education": [],
            "education_level": [],
        },
        "nice_to_have": {
            "skills": nice_skills,
            "languages": nice_lang,
            "work_experiences": [],
            "education": [],
            "education_level": [],
        },
        "application_contacts": contacts,
        "publication_date": _local(pub_day, pub_time),
        "last_publication_date": last,
        "removed": False,
        "removed_date": None,
        "source_type": source_type,
        "timestamp": _epoch_ms(pub_day, pub_time) + rng.randint(0, 999),
    }


def build_ads() -> list[dict[str, Any]]:
    """All demo ads, in id order; the same list on every run."""
    rng = random.Random(SEED)
    drafts: list[dict[str, Any]] = []
    unused = [m.name for m in MUNICIPALITIES]
    for profile in PROFILES:
        for i in range(profile.count):
            drafts.append(_make_ad(rng, profile, english=i < profile.english, unused=unused))
    # The newest ad must be published on the reference date (the loader maps that date to today).
    if not any(d["publication_date"].startswith(REFERENCE_DATE.isoformat()) for d in drafts):
        raise AssertionError("no ad on the reference date; change SEED")
    order = sorted(range(len(drafts)), key=lambda i: (drafts[i]["publication_date"], i))
    ads: list[dict[str, Any]] = []
    for n, i in enumerate(order):
        ad = drafts[i]
        ad_id = str(FIRST_ID + n)
        ad["id"] = ad_id
        ad["webpage_url"] = f"https://arbetsformedlingen.se/platsbanken/annonser/{ad_id}"
        ads.append(ad)
    return ads


def encode_ads(ads: Sequence[dict[str, Any]]) -> bytes:
    """JSON Lines, gzip-compressed with a fixed header (no name, no timestamp) for stable bytes."""
    payload = "".join(json.dumps(ad, ensure_ascii=False, separators=(",", ":")) + "\n" for ad in ads)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload.encode("utf-8"))
    return buf.getvalue()


def meta_for(ads: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "reference_date": REFERENCE_DATE.isoformat(),
        "timezone": "Europe/Stockholm",
        "ad_count": len(ads),
        "first_id": ads[0]["id"],
        "last_id": ads[-1]["id"],
        "seed": SEED,
        "generator": "scripts/make_demo_ads.py",
    }


def write_demo_data(out_dir: Path) -> tuple[Path, Path]:
    """Write ``demo_ads.jsonl.gz`` and ``demo_meta.json`` into ``out_dir``."""
    ads = build_ads()
    out_dir.mkdir(parents=True, exist_ok=True)
    ads_path = out_dir / ADS_FILE
    meta_path = out_dir / META_FILE
    ads_path.write_bytes(encode_ads(ads))
    meta_path.write_text(json.dumps(meta_for(ads), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return ads_path, meta_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help="where to write the files (default: the package's demo_data folder)",
    )
    args = parser.parse_args(argv)
    ads_path, _ = write_demo_data(args.out_dir)
    ads = build_ads()
    fields = {ad["occupation_field"]["concept_id"] for ad in ads}
    occupations = {ad["occupation"]["concept_id"] for ad in ads}
    munis = {ad["workplace_address"]["municipality_concept_id"] for ad in ads}
    regions = {ad["workplace_address"]["region_concept_id"] for ad in ads}
    print(
        f"{len(ads)} ads, {len(occupations)} occupations, {len(fields)} occupation fields, "
        f"{len(munis)} municipalities, {len(regions)} regions -> {ads_path} "
        f"({ads_path.stat().st_size / 1024:.0f} KiB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
