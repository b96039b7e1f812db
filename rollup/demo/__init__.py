"""The end-to-end demo: deposits, matching, liquidation, proof, settlement and a claim on one chain."""
