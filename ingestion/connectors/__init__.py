"""Source connectors, one module each, registered here by their `type` in nps.yaml."""
from ingestion.connectors.base import Connector
from ingestion.connectors.csv_export import CONNECTOR as CSV
from ingestion.connectors.delighted import CONNECTOR as DELIGHTED
from ingestion.connectors.hubspot import CONNECTOR as HUBSPOT
from ingestion.connectors.qualtrics import CONNECTOR as QUALTRICS
from ingestion.connectors.salesforce import CONNECTOR as SALESFORCE
from ingestion.connectors.surveymonkey import CONNECTOR as SURVEYMONKEY
from ingestion.connectors.typeform import CONNECTOR as TYPEFORM

CONNECTORS: dict[str, Connector] = {
    connector.source_type: connector
    for connector in (CSV, QUALTRICS, SURVEYMONKEY, TYPEFORM, DELIGHTED, HUBSPOT, SALESFORCE)
}
