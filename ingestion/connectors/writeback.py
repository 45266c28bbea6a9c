"""Settings of the CRM write-back (`writeback:` under a hubspot or salesforce source in nps.yaml):
which object gets each customer's latest rating, and the names of the fields that hold it."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ingestion.connectors.base import StrictModel


class RatingProperties(StrictModel):
    """CRM property (HubSpot) or field API name (Salesforce) per rating value."""

    score: str = "nps_last_score"
    category: str = "nps_last_category"
    responded_at: str = "nps_last_responded_at"


class SalesforceRatingFields(RatingProperties):
    score: str = "NPS_Last_Score__c"
    category: str = "NPS_Last_Category__c"
    responded_at: str = "NPS_Last_Responded_At__c"


class WritebackSettings(StrictModel):
    enabled: bool = False
    # account: the customer's HubSpot company / Salesforce Account; contact: each of its contacts.
    object: Literal["account", "contact"] = "account"
    properties: RatingProperties = Field(default_factory=RatingProperties)


class SalesforceWritebackSettings(WritebackSettings):
    properties: SalesforceRatingFields = Field(default_factory=SalesforceRatingFields)
