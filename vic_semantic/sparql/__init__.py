"""SPARQL request handling that does not depend on a particular store."""
