"""Every emulated vendor, served side by side by one EmulatorServer."""
from ingestion.emulators.delighted import Delighted
from ingestion.emulators.hubspot import HubSpot
from ingestion.emulators.qualtrics import Qualtrics
from ingestion.emulators.salesforce import Salesforce
from ingestion.emulators.surveymonkey import SurveyMonkey
from ingestion.emulators.typeform import Typeform

ALL = (Qualtrics, SurveyMonkey, Typeform, Delighted, HubSpot, Salesforce)
