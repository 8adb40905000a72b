"""CustCare: customer contact management for utilities."""
