"""Source connectors, one module each, registered here by their `type` in nps.yaml."""
from ingestion.connectors.base import Connector
from ingestion.connectors.csv_export import CONNECTOR as CSV

CONNECTORS: dict[str, Connector] = {connector.source_type: connector for connector in (CSV,)}
