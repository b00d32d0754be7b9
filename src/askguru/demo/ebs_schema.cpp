#include "askguru/demo/ebs_schema.h"

namespace askguru::demo {
namespace {

std::vector<TableDef> make_schema() {
  std::vector<TableDef> t;

  t.push_back(TableDef{
      "HR_OPERATING_UNITS",
      {
          {"BUSINESS_GROUP_ID", "INTEGER", "NOT NULL", "business group id",
           "the business group (enterprise) that owns the operating unit", "integer", "202 = Vision Corporation"},
          {"ORGANIZATION_ID", "INTEGER", "NOT NULL", "organization id",
           "unique identifier of the operating unit; the ORG_ID columns of the AP and PO tables refer to it", "integer",
           ""},
          {"NAME", "TEXT", "NOT NULL", "operating unit name", "name of the operating unit", "text",
           "Vision Operations (United States, ledger currency USD); Vision UK (GBP); Vision Germany (EUR)"},
          {"SHORT_CODE", "TEXT", "", "short code", "short code of the operating unit", "text", ""},
          {"SET_OF_BOOKS_ID", "INTEGER", "", "ledger id", "the ledger (set of books) the operating unit posts to",
           "integer", "1 = US ledger (USD), 2 = UK ledger (GBP), 3 = German ledger (EUR)"},
          {"DATE_FROM", "TEXT", "NOT NULL", "date from", "date the operating unit became active", "date", "YYYY-MM-DD"},
          {"DATE_TO", "TEXT", "", "date to", "date the operating unit was closed", "date",
           "YYYY-MM-DD; NULL means still active"},
          {"USABLE_FLAG", "TEXT", "", "usable flag", "whether transactions can be entered for the operating unit",
           "text", "Y = usable, N = not usable"},
      },
      {"PRIMARY KEY (ORGANIZATION_ID)"}});

  t.push_back(TableDef{
      "PER_ALL_PEOPLE_F",
      {
          {"PERSON_ID", "INTEGER", "NOT NULL", "person id", "unique identifier of the person (employee)", "integer",
           "PO_HEADERS_ALL.AGENT_ID (the buyer) refers to it"},
          {"EFFECTIVE_START_DATE", "TEXT", "NOT NULL", "effective start date",
           "first day this person record is effective", "date", "YYYY-MM-DD"},
          {"EFFECTIVE_END_DATE", "TEXT", "NOT NULL", "effective end date", "last day this person record is effective",
           "date", "YYYY-MM-DD; 4712-12-31 means open-ended (the person is still employed)"},
          {"BUSINESS_GROUP_ID", "INTEGER", "", "business group id", "business group of the person", "integer", ""},
          {"EMPLOYEE_NUMBER", "TEXT", "", "employee number", "the employee number shown to users", "text", ""},
          {"FIRST_NAME", "TEXT", "", "first name", "first name of the person", "text", ""},
          {"LAST_NAME", "TEXT", "NOT NULL", "last name", "last name of the person", "text", ""},
          {"FULL_NAME", "TEXT", "", "full name", "full name in Oracle's 'Last, First' format", "text",
           "e.g. 'Stock, Pat' for Pat Stock"},
          {"EMAIL_ADDRESS", "TEXT", "", "email address", "work email address", "text", ""},
          {"CURRENT_EMPLOYEE_FLAG", "TEXT", "", "current employee flag", "whether the person is a current employee",
           "text", "Y = current employee; NULL = no longer employed (not 'N')"},
      },
      {"PRIMARY KEY (PERSON_ID)"}});

  t.push_back(TableDef{
      "GL_CODE_COMBINATIONS",
      {
          {"CODE_COMBINATION_ID", "INTEGER", "NOT NULL", "code combination id",
           "unique identifier of a General Ledger account (a combination of segment values)", "integer", ""},
          {"SEGMENT1", "TEXT", "NOT NULL", "company", "company segment of the account", "text",
           "01 = Vision Operations (US), 02 = Vision UK, 03 = Vision Germany"},
          {"SEGMENT2", "TEXT", "NOT NULL", "cost center", "cost center (department) segment of the account", "text",
           "000 = Balance sheet, 110 = Finance, 120 = Facilities, 210 = Manufacturing, 310 = Sales, "
           "410 = Information Technology, 510 = Operations"},
          {"SEGMENT3", "TEXT", "NOT NULL", "natural account", "natural account segment: what the money was spent on",
           "text",
           "1410 = Inventory, 1510 = Recoverable Tax, 2210 = Accounts Payable, 5110 = Raw Materials, "
           "5120 = Chemicals, 5130 = Packaging, 7110 = Repairs and Maintenance, 7220 = Utilities, "
           "7330 = Consulting Fees, 7340 = Legal Fees, 7420 = Freight, 7530 = Office Supplies, "
           "7540 = Office Furniture, 7550 = Computer Hardware, 7560 = Software Licenses, 7570 = IT Services, "
           "7610 = Travel, 7650 = Tools and Small Equipment, 7710 = Sales Tax Expense, "
           "7990 = Miscellaneous Expense"},
          {"SEGMENT4", "TEXT", "NOT NULL", "sub-account", "sub-account segment", "text", "0000 = none"},
          {"ACCOUNT_TYPE", "TEXT", "NOT NULL", "account type", "type of the natural account", "text",
           "E = Expense, A = Asset, L = Liability, R = Revenue, O = Owners' equity"},
          {"ENABLED_FLAG", "TEXT", "NOT NULL", "enabled flag", "whether the account can be used", "text",
           "Y = enabled, N = disabled"},
      },
      {"PRIMARY KEY (CODE_COMBINATION_ID)"}});

  t.push_back(
      TableDef{"MTL_CATEGORIES_B",
               {
                   {"CATEGORY_ID", "INTEGER", "NOT NULL", "category id", "unique identifier of a purchasing category",
                    "integer", ""},
                   {"SEGMENT1", "TEXT", "NOT NULL", "category family", "family (first segment) of the category", "text",
                    "e.g. OFFICE, IT, RAW, MRO, FACILITIES, LOGISTICS, PACKAGING, SERVICES, UTILITIES, TRAVEL"},
                   {"SEGMENT2", "TEXT", "NOT NULL", "category class", "class (second segment) of the category", "text",
                    "e.g. SUPPLIES, HARDWARE, SOFTWARE, STEEL; the category code is SEGMENT1 || '.' || SEGMENT2"},
                   {"DESCRIPTION", "TEXT", "", "description", "description of the category", "text", ""},
                   {"ENABLED_FLAG", "TEXT", "NOT NULL", "enabled flag", "whether the category can be used", "text",
                    "Y = enabled, N = disabled"},
               },
               {"PRIMARY KEY (CATEGORY_ID)"}});

  t.push_back(TableDef{
      "AP_SUPPLIERS",
      {
          {"VENDOR_ID", "INTEGER", "NOT NULL", "vendor id", "unique internal identifier of the supplier", "integer",
           "internal id used by joins; not the supplier number users see (that is SEGMENT1)"},
          {"VENDOR_NAME", "TEXT", "NOT NULL", "supplier name", "name of the supplier", "text", ""},
          {"SEGMENT1", "TEXT", "NOT NULL", "supplier number", "the supplier number users see and search by", "text",
           "numeric text, e.g. '31005'"},
          {"VENDOR_TYPE_LOOKUP_CODE", "TEXT", "", "supplier type", "type of the supplier", "text",
           "VENDOR = goods supplier, CONTRACTOR = services contractor, UTILITY = utility company, "
           "TAX AUTHORITY = government tax agency"},
          {"ENABLED_FLAG", "TEXT", "NOT NULL", "enabled flag", "whether the supplier is enabled for new transactions",
           "text", "Y = enabled, N = disabled"},
          {"START_DATE_ACTIVE", "TEXT", "", "start date active", "date from which the supplier is active", "date",
           "YYYY-MM-DD"},
          {"END_DATE_ACTIVE", "TEXT", "", "end date active", "date after which the supplier is inactive", "date",
           "YYYY-MM-DD; NULL means no end date"},
          {"PAYMENT_METHOD_LOOKUP_CODE", "TEXT", "", "default payment method", "how the supplier is normally paid",
           "text",
           "CHECK = paper check, EFT = electronic funds transfer, "
           "WIRE = wire transfer"},
          {"PAYMENT_TERMS_DAYS", "INTEGER", "", "payment terms days",
           "days between the invoice date and its due date (net terms)", "integer", "30 means 'Net 30'"},
          {"SMALL_BUSINESS_FLAG", "TEXT", "", "small business flag", "whether the supplier is a small business", "text",
           "Y = small business, N = not"},
          {"HOLD_ALL_PAYMENTS_FLAG", "TEXT", "", "hold all payments flag",
           "whether all payments to the supplier are on hold", "text", "Y = payments on hold, N = not"},
          {"NUM_1099", "TEXT", "", "taxpayer id", "US taxpayer identification number of the supplier", "text",
           "sensitive; NULL for non-US suppliers"},
          {"VAT_REGISTRATION_NUM", "TEXT", "", "VAT registration number", "VAT registration number (UK and EU)", "text",
           "NULL for US suppliers"},
          {"CREATION_DATE", "TEXT", "", "creation date", "date the supplier record was created", "date", "YYYY-MM-DD"},
      },
      {"PRIMARY KEY (VENDOR_ID)", "UNIQUE (SEGMENT1)"}});

  t.push_back(
      TableDef{"AP_SUPPLIER_SITES_ALL",
               {
                   {"VENDOR_SITE_ID", "INTEGER", "NOT NULL", "vendor site id", "unique identifier of the supplier site",
                    "integer", ""},
                   {"VENDOR_ID", "INTEGER", "NOT NULL", "vendor id", "the supplier the site belongs to", "integer",
                    "refers to AP_SUPPLIERS.VENDOR_ID"},
                   {"VENDOR_SITE_CODE", "TEXT", "NOT NULL", "site code", "name of the site, unique within a supplier",
                    "text", "usually the city in upper case, e.g. 'CHICAGO'"},
                   {"ADDRESS_LINE1", "TEXT", "", "address line 1", "street address of the site", "text", ""},
                   {"CITY", "TEXT", "", "city", "city of the site", "text", ""},
                   {"STATE", "TEXT", "", "state", "US state code of the site", "text",
                    "two-letter US state code; NULL outside the US"},
                   {"ZIP", "TEXT", "", "postal code", "postal code of the site", "text", ""},
                   {"COUNTRY", "TEXT", "NOT NULL", "country", "ISO country code of the site", "text",
                    "US = United States, GB = United Kingdom, DE = Germany"},
                   {"ORG_ID", "INTEGER", "NOT NULL", "operating unit id", "operating unit that uses the site",
                    "integer", "refers to HR_OPERATING_UNITS.ORGANIZATION_ID"},
                   {"PAY_SITE_FLAG", "TEXT", "", "pay site flag",
                    "whether invoices can be entered and paid at the site", "text", "Y = pay site, N = not"},
                   {"PURCHASING_SITE_FLAG", "TEXT", "", "purchasing site flag",
                    "whether purchase orders can be issued to the site", "text", "Y = purchasing site, N = not"},
                   {"INACTIVE_DATE", "TEXT", "", "inactive date", "date the site was deactivated", "date",
                    "YYYY-MM-DD; NULL means active"},
                   {"CREATION_DATE", "TEXT", "", "creation date", "date the site was created", "date", "YYYY-MM-DD"},
               },
               {"PRIMARY KEY (VENDOR_SITE_ID)", "UNIQUE (VENDOR_ID, VENDOR_SITE_CODE, ORG_ID)",
                "FOREIGN KEY (VENDOR_ID) REFERENCES AP_SUPPLIERS (VENDOR_ID)",
                "FOREIGN KEY (ORG_ID) REFERENCES HR_OPERATING_UNITS (ORGANIZATION_ID)"}});

  t.push_back(TableDef{
      "PO_HEADERS_ALL",
      {
          {"PO_HEADER_ID", "INTEGER", "NOT NULL", "PO header id", "unique internal identifier of the purchase order",
           "integer", ""},
          {"SEGMENT1", "TEXT", "NOT NULL", "PO number", "the purchase order number users see", "text",
           "numeric text, unique within an operating unit"},
          {"TYPE_LOOKUP_CODE", "TEXT", "NOT NULL", "PO type", "type of the purchase order", "text",
           "STANDARD = one-time purchase, BLANKET = blanket purchase agreement"},
          {"VENDOR_ID", "INTEGER", "NOT NULL", "vendor id", "the supplier", "integer",
           "refers to AP_SUPPLIERS.VENDOR_ID"},
          {"VENDOR_SITE_ID", "INTEGER", "NOT NULL", "vendor site id", "the supplier site the order is sent to",
           "integer", "refers to AP_SUPPLIER_SITES_ALL.VENDOR_SITE_ID"},
          {"AGENT_ID", "INTEGER", "NOT NULL", "buyer id", "the buyer who owns the purchase order", "integer",
           "refers to PER_ALL_PEOPLE_F.PERSON_ID"},
          {"ORG_ID", "INTEGER", "NOT NULL", "operating unit id", "operating unit of the purchase order", "integer",
           "refers to HR_OPERATING_UNITS.ORGANIZATION_ID"},
          {"CURRENCY_CODE", "TEXT", "NOT NULL", "currency", "currency of the purchase order", "text",
           "ISO code: USD, GBP, EUR"},
          {"AUTHORIZATION_STATUS", "TEXT", "", "approval status", "approval status of the purchase order", "text",
           "APPROVED, IN PROCESS (awaiting approval), INCOMPLETE (draft), REJECTED, "
           "REQUIRES REAPPROVAL (changed after approval)"},
          {"APPROVED_FLAG", "TEXT", "", "approved flag", "whether the purchase order is approved", "text",
           "Y = approved, N = not approved"},
          {"APPROVED_DATE", "TEXT", "", "approved date", "date the purchase order was approved", "date",
           "YYYY-MM-DD; NULL if never approved"},
          {"CLOSED_CODE", "TEXT", "", "closure status", "closure status of the purchase order", "text",
           "OPEN, CLOSED (fully received and invoiced), FINALLY CLOSED (no further activity allowed)"},
          {"CANCEL_FLAG", "TEXT", "", "cancel flag", "whether the purchase order was cancelled", "text",
           "Y = cancelled, N = not"},
          {"COMMENTS", "TEXT", "", "description", "description of the purchase order", "text", ""},
          {"CREATION_DATE", "TEXT", "NOT NULL", "creation date", "date the purchase order was created", "date",
           "YYYY-MM-DD"},
      },
      {"PRIMARY KEY (PO_HEADER_ID)", "UNIQUE (SEGMENT1, ORG_ID)",
       "FOREIGN KEY (VENDOR_ID) REFERENCES AP_SUPPLIERS (VENDOR_ID)",
       "FOREIGN KEY (VENDOR_SITE_ID) REFERENCES AP_SUPPLIER_SITES_ALL (VENDOR_SITE_ID)",
       "FOREIGN KEY (AGENT_ID) REFERENCES PER_ALL_PEOPLE_F (PERSON_ID)",
       "FOREIGN KEY (ORG_ID) REFERENCES HR_OPERATING_UNITS (ORGANIZATION_ID)"}});

  t.push_back(
      TableDef{"PO_LINES_ALL",
               {
                   {"PO_LINE_ID", "INTEGER", "NOT NULL", "PO line id", "unique identifier of the purchase order line",
                    "integer", ""},
                   {"PO_HEADER_ID", "INTEGER", "NOT NULL", "PO header id", "the purchase order the line belongs to",
                    "integer", "refers to PO_HEADERS_ALL.PO_HEADER_ID"},
                   {"LINE_NUM", "INTEGER", "NOT NULL", "line number", "line number within the purchase order",
                    "integer", "1, 2, 3, ..."},
                   {"CATEGORY_ID", "INTEGER", "", "category id", "purchasing category of the item", "integer",
                    "refers to MTL_CATEGORIES_B.CATEGORY_ID"},
                   {"ITEM_DESCRIPTION", "TEXT", "", "item description", "description of the ordered item or service",
                    "text", ""},
                   {"UNIT_MEAS_LOOKUP_CODE", "TEXT", "", "unit of measure", "unit in which the quantity is ordered",
                    "text", "e.g. Each, Box, Case, Ton, Kilogram, Hour, Month, License"},
                   {"QUANTITY", "REAL", "", "quantity", "ordered quantity", "real", ""},
                   {"UNIT_PRICE", "REAL", "", "unit price", "price per unit in the purchase order's currency", "real",
                    "line amount = QUANTITY * UNIT_PRICE"},
                   {"ORG_ID", "INTEGER", "", "operating unit id", "operating unit of the line", "integer",
                    "same as the header's ORG_ID"},
               },
               {"PRIMARY KEY (PO_LINE_ID)", "UNIQUE (PO_HEADER_ID, LINE_NUM)",
                "FOREIGN KEY (PO_HEADER_ID) REFERENCES PO_HEADERS_ALL (PO_HEADER_ID)",
                "FOREIGN KEY (CATEGORY_ID) REFERENCES MTL_CATEGORIES_B (CATEGORY_ID)"}});

  t.push_back(TableDef{
      "AP_INVOICES_ALL",
      {
          {"INVOICE_ID", "INTEGER", "NOT NULL", "invoice id", "unique internal identifier of the invoice", "integer",
           "internal id used by joins; not the invoice number (INVOICE_NUM)"},
          {"INVOICE_NUM", "TEXT", "NOT NULL", "invoice number", "the supplier's invoice number", "text",
           "unique per supplier; different suppliers may use the same number"},
          {"INVOICE_TYPE_LOOKUP_CODE", "TEXT", "NOT NULL", "invoice type", "type of the invoice", "text",
           "STANDARD = regular invoice, CREDIT = credit memo (negative amount)"},
          {"VENDOR_ID", "INTEGER", "NOT NULL", "vendor id", "the supplier that sent the invoice", "integer",
           "refers to AP_SUPPLIERS.VENDOR_ID"},
          {"VENDOR_SITE_ID", "INTEGER", "NOT NULL", "vendor site id", "the supplier pay site of the invoice", "integer",
           "refers to AP_SUPPLIER_SITES_ALL.VENDOR_SITE_ID"},
          {"ORG_ID", "INTEGER", "NOT NULL", "operating unit id", "operating unit of the invoice", "integer",
           "refers to HR_OPERATING_UNITS.ORGANIZATION_ID"},
          {"INVOICE_DATE", "TEXT", "NOT NULL", "invoice date", "date on the invoice", "date", "YYYY-MM-DD"},
          {"GL_DATE", "TEXT", "", "GL date", "accounting date of the invoice", "date", "YYYY-MM-DD"},
          {"INVOICE_CURRENCY_CODE", "TEXT", "NOT NULL", "invoice currency", "currency of the invoice", "text",
           "ISO code: USD, GBP, EUR"},
          {"INVOICE_AMOUNT", "REAL", "NOT NULL", "invoice amount",
           "total amount of the invoice in its currency, tax and freight included", "real",
           "equals the sum of its lines (AP_INVOICE_LINES_ALL.AMOUNT); negative for credit memos"},
          {"AMOUNT_PAID", "REAL", "", "amount paid", "amount of the invoice paid so far", "real",
           "unpaid balance = INVOICE_AMOUNT - AMOUNT_PAID"},
          {"PAYMENT_STATUS_FLAG", "TEXT", "", "payment status", "whether the invoice has been paid", "text",
           "Y = fully paid, N = unpaid, P = partially paid"},
          {"WFAPPROVAL_STATUS", "TEXT", "", "approval status", "invoice approval workflow status", "text",
           "APPROVED, MANUALLY APPROVED, NOT REQUIRED, REQUIRED (awaiting approval), REJECTED"},
          {"SOURCE", "TEXT", "", "source", "how the invoice was entered", "text",
           "Manual Invoice Entry, ERS (evaluated receipt settlement), XML GATEWAY, ISUPPLIER"},
          {"DESCRIPTION", "TEXT", "", "description", "description of the invoice", "text", ""},
          {"PO_HEADER_ID", "INTEGER", "", "PO header id", "the purchase order the invoice is matched to", "integer",
           "refers to PO_HEADERS_ALL.PO_HEADER_ID; NULL for invoices not matched to a purchase order"},
          {"CANCELLED_DATE", "TEXT", "", "cancelled date", "date the invoice was cancelled", "date",
           "YYYY-MM-DD; NULL if not cancelled. Cancelled invoices keep their amounts; exclude them with "
           "CANCELLED_DATE IS NULL"},
          {"CANCELLED_AMOUNT", "REAL", "", "cancelled amount", "amount of the invoice when it was cancelled", "real",
           "NULL if not cancelled"},
          {"CREATION_DATE", "TEXT", "", "creation date", "date the invoice was entered", "date", "YYYY-MM-DD"},
      },
      {"PRIMARY KEY (INVOICE_ID)", "UNIQUE (VENDOR_ID, INVOICE_NUM)",
       "FOREIGN KEY (VENDOR_ID) REFERENCES AP_SUPPLIERS (VENDOR_ID)",
       "FOREIGN KEY (VENDOR_SITE_ID) REFERENCES AP_SUPPLIER_SITES_ALL (VENDOR_SITE_ID)",
       "FOREIGN KEY (ORG_ID) REFERENCES HR_OPERATING_UNITS (ORGANIZATION_ID)",
       "FOREIGN KEY (PO_HEADER_ID) REFERENCES PO_HEADERS_ALL (PO_HEADER_ID)"}});

  t.push_back(TableDef{
      "AP_INVOICE_LINES_ALL",
      {
          {"INVOICE_ID", "INTEGER", "NOT NULL", "invoice id", "the invoice the line belongs to", "integer",
           "refers to AP_INVOICES_ALL.INVOICE_ID"},
          {"LINE_NUMBER", "INTEGER", "NOT NULL", "line number", "line number within the invoice", "integer",
           "1, 2, 3, ..."},
          {"LINE_TYPE_LOOKUP_CODE", "TEXT", "NOT NULL", "line type", "type of the invoice line", "text",
           "ITEM = goods or services, FREIGHT = shipping charge, TAX = tax charge, MISCELLANEOUS = other charge"},
          {"AMOUNT", "REAL", "NOT NULL", "amount", "amount of the line in the invoice currency", "real", ""},
          {"DESCRIPTION", "TEXT", "", "description", "description of the line", "text", ""},
          {"QUANTITY_INVOICED", "REAL", "", "quantity invoiced", "quantity billed on an item line", "real",
           "NULL for freight and tax lines"},
          {"UNIT_PRICE", "REAL", "", "unit price", "price per unit on an item line", "real",
           "NULL for freight and tax lines"},
          {"PO_HEADER_ID", "INTEGER", "", "PO header id", "purchase order the line is matched to", "integer",
           "refers to PO_HEADERS_ALL.PO_HEADER_ID; NULL if not matched"},
          {"PO_LINE_ID", "INTEGER", "", "PO line id", "purchase order line the line is matched to", "integer",
           "refers to PO_LINES_ALL.PO_LINE_ID; NULL if not matched"},
          {"ACCOUNTING_DATE", "TEXT", "", "accounting date", "accounting date of the line", "date", "YYYY-MM-DD"},
          {"ORG_ID", "INTEGER", "", "operating unit id", "operating unit of the line", "integer",
           "same as the invoice's ORG_ID"},
      },
      {"PRIMARY KEY (INVOICE_ID, LINE_NUMBER)", "FOREIGN KEY (INVOICE_ID) REFERENCES AP_INVOICES_ALL (INVOICE_ID)",
       "FOREIGN KEY (PO_HEADER_ID) REFERENCES PO_HEADERS_ALL (PO_HEADER_ID)",
       "FOREIGN KEY (PO_LINE_ID) REFERENCES PO_LINES_ALL (PO_LINE_ID)"}});

  t.push_back(TableDef{
      "AP_INVOICE_DISTRIBUTIONS_ALL",
      {
          {"INVOICE_DISTRIBUTION_ID", "INTEGER", "NOT NULL", "invoice distribution id",
           "unique identifier of the distribution (the accounting split of an invoice line)", "integer", ""},
          {"INVOICE_ID", "INTEGER", "NOT NULL", "invoice id", "the invoice", "integer",
           "refers to AP_INVOICES_ALL.INVOICE_ID"},
          {"INVOICE_LINE_NUMBER", "INTEGER", "NOT NULL", "invoice line number", "the invoice line distributed",
           "integer", "(INVOICE_ID, INVOICE_LINE_NUMBER) refers to AP_INVOICE_LINES_ALL (INVOICE_ID, LINE_NUMBER)"},
          {"DISTRIBUTION_LINE_NUMBER", "INTEGER", "NOT NULL", "distribution line number",
           "number of the distribution within its invoice line", "integer", ""},
          {"LINE_TYPE_LOOKUP_CODE", "TEXT", "NOT NULL", "distribution type", "type of the distribution", "text",
           "ITEM, FREIGHT, REC_TAX = recoverable tax (VAT), NONREC_TAX = non-recoverable tax (US sales tax), "
           "MISCELLANEOUS"},
          {"AMOUNT", "REAL", "NOT NULL", "amount", "amount charged to the account, in the invoice currency", "real",
           "the distributions of a line sum to the line's amount"},
          {"DIST_CODE_COMBINATION_ID", "INTEGER", "NOT NULL", "account id", "General Ledger account charged", "integer",
           "refers to GL_CODE_COMBINATIONS.CODE_COMBINATION_ID"},
          {"DESCRIPTION", "TEXT", "", "description", "description of the distribution", "text", ""},
          {"ACCOUNTING_DATE", "TEXT", "NOT NULL", "accounting date", "date the distribution is accounted", "date",
           "YYYY-MM-DD"},
          {"PERIOD_NAME", "TEXT", "", "period name", "accounting period", "text", "MON-YY, e.g. 'MAR-24'"},
          {"POSTED_FLAG", "TEXT", "", "posted flag", "whether the distribution is posted to the General Ledger", "text",
           "Y = posted, N = not posted"},
          {"ORG_ID", "INTEGER", "", "operating unit id", "operating unit of the distribution", "integer", ""},
      },
      {"PRIMARY KEY (INVOICE_DISTRIBUTION_ID)", "UNIQUE (INVOICE_ID, INVOICE_LINE_NUMBER, DISTRIBUTION_LINE_NUMBER)",
       "FOREIGN KEY (INVOICE_ID, INVOICE_LINE_NUMBER) REFERENCES AP_INVOICE_LINES_ALL (INVOICE_ID, LINE_NUMBER)",
       "FOREIGN KEY (DIST_CODE_COMBINATION_ID) REFERENCES GL_CODE_COMBINATIONS (CODE_COMBINATION_ID)"}});

  t.push_back(TableDef{
      "AP_PAYMENT_SCHEDULES_ALL",
      {
          {"INVOICE_ID", "INTEGER", "NOT NULL", "invoice id", "the invoice", "integer",
           "refers to AP_INVOICES_ALL.INVOICE_ID"},
          {"PAYMENT_NUM", "INTEGER", "NOT NULL", "payment number", "installment number of the invoice", "integer",
           "1 for invoices paid in one installment"},
          {"DUE_DATE", "TEXT", "NOT NULL", "due date", "date the installment is due", "date",
           "YYYY-MM-DD; overdue means DUE_DATE before the reporting date with AMOUNT_REMAINING > 0"},
          {"GROSS_AMOUNT", "REAL", "NOT NULL", "gross amount", "amount of the installment", "real", ""},
          {"AMOUNT_REMAINING", "REAL", "NOT NULL", "amount remaining", "amount of the installment still unpaid", "real",
           "0 once paid; 0 for cancelled invoices"},
          {"PAYMENT_STATUS_FLAG", "TEXT", "", "payment status", "whether the installment has been paid", "text",
           "Y = fully paid, N = unpaid, P = partially paid"},
          {"ORG_ID", "INTEGER", "", "operating unit id", "operating unit", "integer", ""},
      },
      {"PRIMARY KEY (INVOICE_ID, PAYMENT_NUM)", "FOREIGN KEY (INVOICE_ID) REFERENCES AP_INVOICES_ALL (INVOICE_ID)"}});

  t.push_back(TableDef{
      "AP_CHECKS_ALL",
      {
          {"CHECK_ID", "INTEGER", "NOT NULL", "check id", "unique identifier of the payment", "integer",
           "a 'check' is any payment: paper check, EFT or wire"},
          {"CHECK_NUMBER", "INTEGER", "NOT NULL", "payment number", "document number of the payment", "integer",
           "sequential per bank account"},
          {"VENDOR_ID", "INTEGER", "NOT NULL", "vendor id", "the supplier paid", "integer",
           "refers to AP_SUPPLIERS.VENDOR_ID"},
          {"VENDOR_SITE_ID", "INTEGER", "NOT NULL", "vendor site id", "the supplier site paid", "integer",
           "refers to AP_SUPPLIER_SITES_ALL.VENDOR_SITE_ID"},
          {"VENDOR_NAME", "TEXT", "", "supplier name", "name of the supplier at payment time (copied)", "text", ""},
          {"ORG_ID", "INTEGER", "NOT NULL", "operating unit id", "operating unit that made the payment", "integer",
           "refers to HR_OPERATING_UNITS.ORGANIZATION_ID"},
          {"AMOUNT", "REAL", "NOT NULL", "amount", "amount of the payment in its currency", "real",
           "equals the sum of its invoice payments (AP_INVOICE_PAYMENTS_ALL) before any void"},
          {"CURRENCY_CODE", "TEXT", "NOT NULL", "currency", "currency of the payment", "text",
           "ISO code: USD, GBP, EUR"},
          {"CHECK_DATE", "TEXT", "NOT NULL", "payment date", "date of the payment", "date", "YYYY-MM-DD"},
          {"PAYMENT_METHOD_CODE", "TEXT", "NOT NULL", "payment method", "how the payment was made", "text",
           "CHECK = paper check, EFT = electronic funds transfer, WIRE = wire transfer"},
          {"PAYMENT_TYPE_FLAG", "TEXT", "", "payment type", "how the payment was created", "text",
           "A = payment batch (automatic), Q = quick payment, M = manual payment"},
          {"CHECKRUN_NAME", "TEXT", "", "payment batch name", "name of the payment batch that produced it", "text",
           "NULL for quick and manual payments"},
          {"STATUS_LOOKUP_CODE", "TEXT", "NOT NULL", "payment status", "status of the payment", "text",
           "NEGOTIABLE = issued, not yet cleared; CLEARED = cleared by the bank; RECONCILED = reconciled with the "
           "bank statement; VOIDED = voided (its invoice payments are reversed)"},
          {"CLEARED_DATE", "TEXT", "", "cleared date", "date the bank cleared the payment", "date",
           "YYYY-MM-DD; NULL if not cleared"},
          {"VOID_DATE", "TEXT", "", "void date", "date the payment was voided", "date",
           "YYYY-MM-DD; NULL if not voided"},
          {"BANK_ACCOUNT_NAME", "TEXT", "", "bank account name", "our bank account the payment was drawn on", "text",
           ""},
          {"BANK_ACCOUNT_NUM", "TEXT", "", "supplier bank account number",
           "the supplier's bank account the money was sent to", "text", "sensitive; NULL for paper checks"},
      },
      {"PRIMARY KEY (CHECK_ID)", "FOREIGN KEY (VENDOR_ID) REFERENCES AP_SUPPLIERS (VENDOR_ID)",
       "FOREIGN KEY (VENDOR_SITE_ID) REFERENCES AP_SUPPLIER_SITES_ALL (VENDOR_SITE_ID)",
       "FOREIGN KEY (ORG_ID) REFERENCES HR_OPERATING_UNITS (ORGANIZATION_ID)"}});

  t.push_back(
      TableDef{"AP_INVOICE_PAYMENTS_ALL",
               {
                   {"INVOICE_PAYMENT_ID", "INTEGER", "NOT NULL", "invoice payment id",
                    "unique identifier of the payment of one invoice installment by one check", "integer", ""},
                   {"INVOICE_ID", "INTEGER", "NOT NULL", "invoice id", "the invoice paid", "integer",
                    "refers to AP_INVOICES_ALL.INVOICE_ID"},
                   {"PAYMENT_NUM", "INTEGER", "NOT NULL", "payment number", "the installment paid", "integer",
                    "(INVOICE_ID, PAYMENT_NUM) refers to AP_PAYMENT_SCHEDULES_ALL"},
                   {"CHECK_ID", "INTEGER", "NOT NULL", "check id", "the payment (check) that paid it", "integer",
                    "refers to AP_CHECKS_ALL.CHECK_ID"},
                   {"AMOUNT", "REAL", "NOT NULL", "amount", "amount applied to the invoice", "real",
                    "negative for reversals of voided payments and for credit memos applied"},
                   {"ACCOUNTING_DATE", "TEXT", "NOT NULL", "accounting date", "accounting date of the payment", "date",
                    "YYYY-MM-DD"},
                   {"PERIOD_NAME", "TEXT", "", "period name", "accounting period", "text", "MON-YY, e.g. 'MAR-24'"},
                   {"POSTED_FLAG", "TEXT", "", "posted flag", "whether the payment accounting is posted", "text",
                    "Y = posted, N = not posted"},
                   {"REVERSAL_FLAG", "TEXT", "", "reversal flag",
                    "whether this row is a reversed payment or the reversal itself (voided check)", "text",
                    "Y = reversed or reversal, N = normal"},
                   {"REVERSAL_INV_PMT_ID", "INTEGER", "", "reversed invoice payment id",
                    "for a reversal row, the invoice payment it reverses", "integer",
                    "refers to AP_INVOICE_PAYMENTS_ALL.INVOICE_PAYMENT_ID; NULL otherwise"},
                   {"ORG_ID", "INTEGER", "", "operating unit id", "operating unit", "integer", ""},
               },
               {"PRIMARY KEY (INVOICE_PAYMENT_ID)", "FOREIGN KEY (INVOICE_ID) REFERENCES AP_INVOICES_ALL (INVOICE_ID)",
                "FOREIGN KEY (INVOICE_ID, PAYMENT_NUM) REFERENCES AP_PAYMENT_SCHEDULES_ALL (INVOICE_ID, PAYMENT_NUM)",
                "FOREIGN KEY (CHECK_ID) REFERENCES AP_CHECKS_ALL (CHECK_ID)",
                "FOREIGN KEY (REVERSAL_INV_PMT_ID) REFERENCES AP_INVOICE_PAYMENTS_ALL (INVOICE_PAYMENT_ID)"}});

  return t;
}

std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

const std::vector<TableDef>& ebs_schema() {
  static const std::vector<TableDef> schema = make_schema();
  return schema;
}

std::string create_table_sql(const TableDef& table) {
  std::string sql = "CREATE TABLE " + table.name + " (\n";
  bool first = true;
  for (const auto& column : table.columns) {
    sql += first ? "  " : ",\n  ";
    first = false;
    sql += column.name + " " + column.type;
    if (!column.constraint.empty()) sql += " " + column.constraint;
  }
  for (const auto& constraint : table.constraints) sql += ",\n  " + constraint;
  sql += "\n)";
  return sql;
}

std::string description_csv(const TableDef& table) {
  std::string out = "original_column_name,column_name,column_description,data_format,value_description\n";
  for (const auto& c : table.columns) {
    out += csv_field(c.name) + "," + csv_field(c.readable) + "," + csv_field(c.description) + "," +
           csv_field(c.format) + "," + csv_field(c.values) + "\n";
  }
  return out;
}

}  // namespace askguru::demo
