"""The nps.yaml sources of a demo that reads every survey tool and the CRM from the emulator."""
from __future__ import annotations

from typing import Any

from ingestion.emulators.common import SURVEY_IDS
from ingestion.emulators.surveymonkey import COMMENT_QUESTION, NPS_QUESTION


def demo_sources(base_url: str) -> list[dict[str, Any]]:
    """`sources:` entries for nps.yaml; tokens come from the environment, else the demo token."""
    base = base_url.rstrip("/")
    qualtrics, surveymonkey, typeform = (SURVEY_IDS[tool] for tool in ("qualtrics", "surveymonkey", "typeform"))
    return [
        {
            "name": "qualtrics",
            "type": "qualtrics",
            "base_url": f"{base}/qualtrics/API/v3",
            "api_token": "${QUALTRICS_API_TOKEN:-demo-token}",
            "surveys": [
                {"survey_id": survey_id, "survey_type": survey_type, "score_question": "QID1", "comment_question": "QID2", "channel": "distributionChannel"}
                for survey_type, survey_id in qualtrics.items()
            ],
        },
        {
            "name": "surveymonkey",
            "type": "surveymonkey",
            "base_url": f"{base}/surveymonkey/v3",
            "access_token": "${SURVEYMONKEY_ACCESS_TOKEN:-demo-token}",
            "surveys": [
                {"survey_id": survey_id, "survey_type": survey_type, "score_question": NPS_QUESTION, "comment_question": COMMENT_QUESTION}
                for survey_type, survey_id in surveymonkey.items()
            ],
        },
        {
            "name": "typeform",
            "type": "typeform",
            "base_url": f"{base}/typeform",
            "access_token": "${TYPEFORM_ACCESS_TOKEN:-demo-token}",
            "forms": [
                {"form_id": form_id, "survey_type": survey_type, "score_field": "nps", "comment_field": "comment"}
                for survey_type, form_id in typeform.items()
            ],
        },
        {
            "name": "delighted",
            "type": "delighted",
            "base_url": f"{base}/delighted/v1",
            "api_key": "${DELIGHTED_API_KEY:-demo-token}",
            "survey_type_field": "survey_type",
        },
        {
            "name": "hubspot",
            "type": "hubspot",
            "base_url": f"{base}/hubspot",
            "access_token": "${HUBSPOT_ACCESS_TOKEN:-demo-token}",
            "writeback": {"enabled": True},  # `nps writeback` sends latest ratings back to the emulator
        },
    ]
