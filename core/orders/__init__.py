"""The shop's orders, imported from CSV or JSON, so a reply draft knows an order's status."""
