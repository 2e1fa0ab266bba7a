"""Department codes (reference data rows of `kam.Department`): the one place code names them."""

SALES = "sales"
OPERATIONS = "operations"
SUPPLY_CHAIN = "supply_chain"
CUSTOMER_SERVICE = "customer_service"
FINANCE = "finance"
TECHNICAL = "technical"
EXECUTIVE = "executive"

# People of these departments on an account's team read its commercial data (margins, contribution,
# CLV, negotiation preparation, opportunity values); the others serve the account without it.
COMMERCIAL = frozenset({SALES, FINANCE, EXECUTIVE})
