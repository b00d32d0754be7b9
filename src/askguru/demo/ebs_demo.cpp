// The EBS demo generator. Everything random comes from one splitmix64 stream
// with a fixed seed, and every amount is computed in integer cents, so the
// output is the same on every run and platform. See ebs_demo.h.
#include "askguru/demo/ebs_demo.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <variant>

#include "askguru/common/files.h"
#include "askguru/demo/ebs_schema.h"

namespace askguru::demo {
namespace {

constexpr uint64_t kSeed = 0x45425344454D4FULL;  // "EBSDEMO"
constexpr int kUserVersion = 1;                  // bump when the generated content changes on purpose

// ---------------------------------------------------------------------------
// Deterministic random numbers (splitmix64): the standard library's
// distributions are implementation-defined, so they are not used.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t range(int64_t lo, int64_t hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return range(0, 99) < percent; }
  size_t index(size_t size) { return static_cast<size_t>(range(0, static_cast<int64_t>(size) - 1)); }
  template <typename T>
  const T& pick(const std::vector<T>& values) {
    return values[index(values.size())];
  }
  std::string digits(int count) {
    std::string out;
    for (int i = 0; i < count; ++i) out += static_cast<char>('0' + range(0, 9));
    return out;
  }

 private:
  uint64_t state_;
};

// ---------------------------------------------------------------------------
// Calendar: a Day is a count of days since 1970-01-01 (H. Hinnant's algorithms).
using Day = int64_t;

Day make_day(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year, month, day;
};

Civil civil(Day z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp + (mp < 10 ? 3 : -9);
  return {yoe + era * 400 + (m <= 2), m, d};
}

// 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday).
int weekday(Day d) {
  return static_cast<int>(((d % 7) + 11) % 7);
}

std::string iso(Day d) {
  const Civil c = civil(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(c.year), static_cast<int>(c.month),
                static_cast<int>(c.day));
  return buf;
}

constexpr std::array<const char*, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                 "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

// EBS period names: "MAR-24".
std::string period_name(Day d) {
  const Civil c = civil(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s-%02d", kMonths[c.month - 1], static_cast<int>(c.year % 100));
  return buf;
}

// "MAR-2024"
std::string month_year(Day d) {
  const Civil c = civil(d);
  return std::string(kMonths[c.month - 1]) + "-" + std::to_string(c.year);
}

std::string quarter_year(Day d) {
  const Civil c = civil(d);
  return "Q" + std::to_string((c.month - 1) / 3 + 1) + " " + std::to_string(c.year);
}

// Moves a Saturday or Sunday to the next Monday.
Day business_day(Day d) {
  const int w = weekday(d);
  if (w == 6) return d + 2;
  if (w == 0) return d + 1;
  return d;
}

const Day kFirstDay = make_day(2022, 1, 3);  // first business day of the data
const Day kCutoff = make_day(2024, 12, 31);  // the data is "as of" this day
const Day kPostedBefore = make_day(2024, 12, 1);

// ---------------------------------------------------------------------------
// Reference data.

struct OperatingUnit {
  int64_t id;
  const char* name;
  const char* short_code;
  int64_t ledger_id;
  const char* country;
  const char* currency;
  const char* company;
  const char* bank_account;
  int64_t first_check_number;
  int64_t first_po_number;
  int payment_weekday;  // weekly payment batch
};

const std::array<OperatingUnit, 3> kUnits = {{
    {204, "Vision Operations", "VO", 1, "US", "USD", "01", "BofA Operating USD", 100001, 5001, 4},
    {458, "Vision UK", "VUK", 2, "GB", "GBP", "02", "Barclays Operating GBP", 400001, 7001, 3},
    {1531, "Vision Germany", "VDE", 3, "DE", "EUR", "03", "Deutsche Bank Operating EUR", 700001, 9001, 2},
}};

const OperatingUnit& unit_for_country(const std::string& country) {
  for (const auto& u : kUnits)
    if (country == u.country) return u;
  return kUnits[0];
}

const OperatingUnit& unit_by_id(int64_t id) {
  for (const auto& u : kUnits)
    if (u.id == id) return u;
  return kUnits[0];
}

struct Person {
  int64_t id;
  const char* first;
  const char* last;
  const char* start;
  const char* end;  // 4712-12-31 when current
  const char* country;
  const char* families;  // category families this buyer covers (US buyers), comma-separated
};

const std::array<Person, 13> kPeople = {{
    {25, "Pat", "Stock", "2008-03-17", "4712-12-31", "US", "OFFICE"},
    {57, "Casey", "Brown", "2011-06-01", "4712-12-31", "US", "RAW,PACKAGING"},
    {61, "Morgan", "Jones", "2012-09-10", "2023-06-30", "US", "RAW,MRO"},
    {73, "Priya", "Raman", "2015-01-05", "4712-12-31", "US", "IT"},
    {88, "Daniel", "Kim", "2016-04-18", "4712-12-31", "US", "IT,SERVICES"},
    {92, "Laura", "Martinez", "2017-08-21", "4712-12-31", "US", "OFFICE,FACILITIES"},
    {104, "Jamie", "Lee", "2018-02-12", "4712-12-31", "US", "LOGISTICS,FACILITIES"},
    {117, "Rachel", "Cohen", "2019-11-04", "4712-12-31", "US", "SERVICES,PACKAGING"},
    {131, "Tracy", "Nguyen", "2023-07-01", "4712-12-31", "US", "RAW,MRO"},
    {142, "Hannah", "Clarke", "2014-05-06", "4712-12-31", "GB", ""},
    {156, "Oliver", "Hughes", "2020-09-14", "4712-12-31", "GB", ""},
    {163, "Thomas", "Weber", "2013-10-01", "4712-12-31", "DE", ""},
    {178, "Anna", "Fischer", "2021-03-15", "4712-12-31", "DE", ""},
}};

struct CostCenterAccount {
  const char* account;
  char type;
  std::vector<const char*> cost_centers;
};

const std::vector<CostCenterAccount>& accounts() {
  static const std::vector<CostCenterAccount> list = {
      {"1410", 'A', {"000"}},        {"1510", 'A', {"000"}},        {"2210", 'L', {"000"}},
      {"5110", 'E', {"210"}},        {"5120", 'E', {"210"}},        {"5130", 'E', {"510", "210"}},
      {"7110", 'E', {"120", "210"}}, {"7220", 'E', {"120"}},        {"7330", 'E', {"110", "410", "510"}},
      {"7340", 'E', {"110"}},        {"7420", 'E', {"510", "210"}}, {"7530", 'E', {"110", "120", "310", "510"}},
      {"7540", 'E', {"120", "310"}}, {"7550", 'E', {"410", "110"}}, {"7560", 'E', {"410"}},
      {"7570", 'E', {"410"}},        {"7610", 'E', {"310", "110"}}, {"7650", 'E', {"210", "510"}},
      {"7710", 'E', {"110"}},        {"7990", 'E', {"110"}},
  };
  return list;
}

const std::vector<const char*>& cost_centers_of(const std::string& account) {
  static const std::vector<const char*> none = {"000"};
  for (const auto& a : accounts())
    if (account == a.account) return a.cost_centers;
  return none;
}

struct Item {
  const char* description;
  const char* uom;
  int64_t min_price;  // cents
  int64_t max_price;
  int64_t min_qty;
  int64_t max_qty;
};

enum class Billing { kPurchaseOrders, kUtility, kTravel, kServices };

struct Category {
  int64_t id;
  const char* family;
  const char* klass;
  const char* description;
  const char* account;
  const char* po_comment;
  bool goods;
  Billing billing;
  int supplier_count;
  const char* vendor_type;
  std::vector<const char*> words;  // supplier-name words
  std::vector<Item> items;
};

const std::vector<Category>& categories() {
  static const std::vector<Category> list = {
      {101,
       "OFFICE",
       "SUPPLIES",
       "Office supplies and stationery",
       "7530",
       "Office supplies replenishment",
       true,
       Billing::kPurchaseOrders,
       10,
       "VENDOR",
       {"Office Supplies", "Office Products", "Stationery", "Business Supplies"},
       {{"Copy paper, letter, 10-ream case", "Case", 3800, 5500, 5, 80},
        {"Ballpoint pens, blue, box of 12", "Box", 600, 1200, 10, 100},
        {"Toner cartridge, black, high yield", "Each", 8500, 16500, 4, 40},
        {"Heavy duty stapler", "Each", 1800, 3500, 2, 20},
        {"File folders, letter, box of 100", "Box", 1200, 2200, 5, 60},
        {"Sticky notes 3x3, 12 pack", "Pack", 800, 1500, 10, 120},
        {"Whiteboard markers, assorted", "Pack", 900, 1800, 5, 50},
        {"Printer paper, A4, 5-ream box", "Box", 2200, 3400, 5, 60}}},
      {102,
       "OFFICE",
       "FURNITURE",
       "Office furniture",
       "7540",
       "Office furniture order",
       true,
       Billing::kPurchaseOrders,
       5,
       "VENDOR",
       {"Office Furniture", "Furnishings", "Interiors"},
       {{"Ergonomic office chair", "Each", 25000, 65000, 2, 40},
        {"Height-adjustable standing desk", "Each", 45000, 120000, 2, 30},
        {"Four-drawer filing cabinet", "Each", 18000, 42000, 1, 15},
        {"Conference table, 10-seat", "Each", 90000, 260000, 1, 3},
        {"Bookcase, 5-shelf", "Each", 9000, 24000, 1, 12}}},
      {103,
       "IT",
       "HARDWARE",
       "Computer hardware",
       "7550",
       "IT hardware purchase",
       true,
       Billing::kPurchaseOrders,
       9,
       "VENDOR",
       {"Computer Systems", "Technologies", "Data Systems", "Electronics"},
       {{"Business laptop, 14-inch", "Each", 90000, 190000, 2, 60},
        {"27-inch monitor", "Each", 18000, 42000, 2, 80},
        {"Laptop docking station", "Each", 15000, 30000, 2, 60},
        {"Network switch, 48-port", "Each", 120000, 450000, 1, 8},
        {"Rack server, 2U", "Each", 400000, 1200000, 1, 6},
        {"Wireless access point", "Each", 22000, 65000, 2, 30}}},
      {104,
       "IT",
       "SOFTWARE",
       "Software licenses and subscriptions",
       "7560",
       "Software licensing",
       false,
       Billing::kPurchaseOrders,
       7,
       "VENDOR",
       {"Software", "Software Solutions", "Systems"},
       {{"Annual ERP support subscription", "Each", 1500000, 6000000, 1, 1},
        {"Office productivity suite license", "License", 15000, 40000, 10, 250},
        {"Endpoint security subscription, per seat", "License", 2000, 4500, 25, 500},
        {"Database license, per core", "License", 200000, 800000, 2, 16},
        {"Design software license", "License", 60000, 180000, 2, 20}}},
      {105,
       "IT",
       "SERVICES",
       "IT services",
       "7570",
       "IT services engagement",
       false,
       Billing::kPurchaseOrders,
       7,
       "CONTRACTOR",
       {"IT Services", "Networks", "Cloud Services", "Tech Solutions"},
       {{"Network support", "Hour", 9500, 18000, 10, 160},
        {"Help desk outsourcing, monthly", "Month", 300000, 1200000, 1, 3},
        {"Cloud hosting, monthly", "Month", 150000, 900000, 1, 3},
        {"Data migration services", "Hour", 12000, 22000, 20, 240}}},
      {106,
       "RAW",
       "STEEL",
       "Steel and metals",
       "5110",
       "Steel and metals purchase",
       true,
       Billing::kPurchaseOrders,
       9,
       "VENDOR",
       {"Steel", "Metals", "Steel & Wire", "Alloys"},
       {{"Hot rolled steel coil", "Ton", 65000, 110000, 5, 120},
        {"Stainless steel sheet 304", "Ton", 220000, 340000, 2, 40},
        {"Aluminum extrusion 6061", "Kilogram", 300, 600, 500, 10000},
        {"Steel rebar #5", "Ton", 70000, 100000, 5, 80},
        {"Copper wire, 12 AWG", "Kilogram", 800, 1200, 100, 2000}}},
      {107,
       "RAW",
       "CHEMICALS",
       "Industrial chemicals",
       "5120",
       "Chemicals purchase",
       true,
       Billing::kPurchaseOrders,
       6,
       "VENDOR",
       {"Chemicals", "Chemical", "Industrial Fluids"},
       {{"Industrial solvent, 55-gallon drum", "Each", 30000, 70000, 2, 30},
        {"Lubricating oil, 5-gallon pail", "Each", 6000, 14000, 5, 80},
        {"Epoxy resin, 20 kg", "Each", 18000, 32000, 2, 40},
        {"Cleaning agent concentrate", "Gallon", 1200, 3000, 20, 400},
        {"Sulfuric acid, 1-ton tote", "Ton", 25000, 48000, 1, 20}}},
      {108,
       "MRO",
       "TOOLS",
       "Tools and MRO supplies",
       "7650",
       "MRO supplies",
       true,
       Billing::kPurchaseOrders,
       8,
       "VENDOR",
       {"Industrial Supply", "Tool & Supply", "Safety Products"},
       {{"Cordless drill kit", "Each", 12000, 28000, 2, 20},
        {"Safety gloves, case of 144", "Case", 6000, 11000, 2, 40},
        {"Safety glasses, box of 12", "Box", 2500, 6000, 2, 40},
        {"Torque wrench set", "Each", 15000, 42000, 1, 10},
        {"Hard hats", "Each", 1500, 3500, 10, 100},
        {"Bearing assortment", "Box", 8000, 24000, 1, 20}}},
      {109,
       "FACILITIES",
       "MAINTENANCE",
       "Facilities maintenance services",
       "7110",
       "Facilities maintenance",
       false,
       Billing::kPurchaseOrders,
       7,
       "CONTRACTOR",
       {"Facility Services", "Building Services", "Maintenance", "Janitorial"},
       {{"HVAC preventive maintenance", "Each", 80000, 350000, 1, 4},
        {"Janitorial services, monthly", "Month", 250000, 900000, 1, 3},
        {"Elevator inspection", "Each", 40000, 120000, 1, 2},
        {"Landscaping services, monthly", "Month", 90000, 240000, 1, 3},
        {"Plumbing repair", "Hour", 7500, 14000, 2, 24}}},
      {110,
       "LOGISTICS",
       "FREIGHT",
       "Freight and logistics services",
       "7420",
       "Freight services",
       false,
       Billing::kPurchaseOrders,
       8,
       "VENDOR",
       {"Logistics", "Freight Lines", "Transport", "Shipping"},
       {{"LTL freight shipment", "Each", 45000, 160000, 1, 12},
        {"Full truckload, regional", "Each", 180000, 420000, 1, 8},
        {"Ocean container, 40 ft", "Each", 280000, 650000, 1, 4},
        {"Warehouse storage, pallet-month", "Each", 1200, 2500, 50, 800},
        {"Expedited air freight", "Kilogram", 400, 900, 50, 2000}}},
      {111,
       "PACKAGING",
       "MATERIALS",
       "Packaging materials",
       "5130",
       "Packaging materials",
       true,
       Billing::kPurchaseOrders,
       6,
       "VENDOR",
       {"Packaging", "Containers", "Pack Solutions"},
       {{"Corrugated boxes 18x18x16, bundle of 25", "Bundle", 4500, 8000, 10, 400},
        {"Stretch wrap film", "Roll", 1800, 3500, 10, 200},
        {"Wooden pallets 48x40", "Each", 900, 1800, 50, 600},
        {"Packing tape, case of 36", "Case", 5500, 9000, 2, 40},
        {"Bubble wrap roll", "Roll", 3000, 6000, 5, 80}}},
      {112,
       "SERVICES",
       "CONSULTING",
       "Professional consulting services",
       "7330",
       "Consulting engagement",
       false,
       Billing::kServices,
       7,
       "CONTRACTOR",
       {"Consulting", "Advisors", "Partners", "Consulting Group"},
       {{"Management consulting", "Hour", 15000, 35000, 10, 200},
        {"Audit advisory services", "Hour", 18000, 40000, 10, 120},
        {"Process improvement workshop", "Each", 500000, 2500000, 1, 1},
        {"Tax advisory services", "Hour", 20000, 45000, 5, 80}}},
      {113,
       "SERVICES",
       "LEGAL",
       "Legal services",
       "7340",
       "Legal services",
       false,
       Billing::kServices,
       4,
       "CONTRACTOR",
       {"Law Group", "Legal"},
       {{"Contract review", "Hour", 25000, 60000, 2, 60},
        {"Litigation support", "Hour", 30000, 75000, 5, 120},
        {"Trademark filing", "Each", 120000, 350000, 1, 3}}},
      {114,
       "UTILITIES",
       "ENERGY",
       "Utilities: electricity, gas, water, telecom",
       "7220",
       "Utilities",
       false,
       Billing::kUtility,
       5,
       "UTILITY",
       {"Power & Light", "Energy", "Water Utility", "Gas & Electric", "Telecom"},
       {}},
      {115,
       "TRAVEL",
       "SERVICES",
       "Travel services",
       "7610",
       "Travel",
       false,
       Billing::kTravel,
       4,
       "VENDOR",
       {"Travel", "Travel Management", "Hotels"},
       {{"Airfare - sales conference", "Each", 30000, 250000, 1, 1},
        {"Hotel stay - customer visit", "Each", 20000, 180000, 1, 1},
        {"Car rental", "Each", 8000, 60000, 1, 1},
        {"Airfare - project travel", "Each", 40000, 600000, 1, 1},
        {"Group booking - training event", "Each", 150000, 900000, 1, 1}}},
  };
  return list;
}

const std::vector<const char*> kUsPrefixes = {
    "Pinnacle", "Summit",    "Apex",       "Northwind",  "Blue Ridge", "Cascade",     "Evergreen", "Harbor",
    "Keystone", "Liberty",   "Meridian",   "Orion",      "Patriot",    "Redwood",     "Sterling",  "Titan",
    "Vanguard", "Allied",    "Atlas",      "Beacon",     "Crescent",   "Delta",       "Eagle",     "Frontier",
    "Granite",  "Horizon",   "Ironwood",   "Lakeside",   "Metro",      "Nova",        "Pacific",   "Premier",
    "Quantum",  "Riverside", "Silverline", "Trident",    "United",     "Westfield",   "Zenith",    "Continental",
    "Midwest",  "Coastal",   "Brightway",  "Clearwater", "Falcon",     "Great Lakes", "Hudson",    "Prairie"};
const std::vector<const char*> kGbPrefixes = {"Thames",    "Pennine",  "Albion", "Britannia", "Windsor",
                                              "Cambridge", "Highland", "Mersey", "Severn",    "Kingsway"};
const std::vector<const char*> kDePrefixes = {"Rhein", "Bavaria",     "Nordstern", "Alpen", "Hanse",
                                              "Elbe",  "Schwarzwald", "Mainfeld",  "Isar",  "Neckar"};
const std::vector<const char*> kUsLegal = {"", " Inc", " Corp", " LLC", " Co"};

struct City {
  const char* name;
  const char* state;  // nullptr outside the US
  const char* zip_prefix;
};

const std::vector<City> kUsCities = {
    {"New York", "NY", "100"},    {"Chicago", "IL", "606"},       {"Houston", "TX", "770"},
    {"Los Angeles", "CA", "900"}, {"San Francisco", "CA", "941"}, {"Seattle", "WA", "981"},
    {"Atlanta", "GA", "303"},     {"Boston", "MA", "021"},        {"Denver", "CO", "802"},
    {"Phoenix", "AZ", "850"},     {"Dallas", "TX", "752"},        {"Pittsburgh", "PA", "152"},
    {"Cleveland", "OH", "441"},   {"Detroit", "MI", "482"},       {"Minneapolis", "MN", "554"},
    {"Charlotte", "NC", "282"},   {"Austin", "TX", "787"},        {"Portland", "OR", "972"},
    {"Miami", "FL", "331"},       {"St. Louis", "MO", "631"}};
const std::vector<City> kGbCities = {{"London", nullptr, "EC1A"},   {"Manchester", nullptr, "M1"},
                                     {"Birmingham", nullptr, "B2"}, {"Leeds", nullptr, "LS1"},
                                     {"Glasgow", nullptr, "G1"},    {"Bristol", nullptr, "BS1"}};
const std::vector<City> kDeCities = {{"Berlin", nullptr, "10"},    {"Munich", nullptr, "80"},
                                     {"Hamburg", nullptr, "20"},   {"Frankfurt", nullptr, "60"},
                                     {"Stuttgart", nullptr, "70"}, {"Cologne", nullptr, "50"}};
const std::vector<const char*> kUsStreets = {
    "Main Street",    "Industrial Parkway", "Commerce Drive", "Market Street",   "Harbor Road",
    "Technology Way", "Lake Shore Drive",   "Oak Avenue",     "Enterprise Blvd", "Park Avenue"};
const std::vector<const char*> kGbStreets = {"High Street", "Station Road", "Victoria Road", "Church Lane",
                                             "Mill Lane"};
const std::vector<const char*> kDeStreets = {"Hauptstrasse", "Industriestrasse", "Bahnhofstrasse", "Gewerbepark",
                                             "Hafenstrasse"};

// ---------------------------------------------------------------------------
// Generated entities (indices into the generator's vectors link them).

struct Site {
  int64_t id = 0;
  size_t supplier = 0;
  std::string code, address, city, zip, country;
  std::optional<std::string> state;
  int64_t org_id = 0;
  bool pay = true, purchasing = true;
  std::optional<Day> inactive;
  Day created = 0;
  std::string bank_account;  // the supplier's account at this site, for EFT and wire
};

struct Supplier {
  int64_t id = 0;
  std::string name, number, type, country, method;
  const Category* category = nullptr;
  Day start = 0;
  std::optional<Day> end;
  bool active = true;  // has purchase orders or invoices
  bool anchor = false;
  bool small = false, hold = false;
  int terms = 30;
  int invoice_style = 0;
  int64_t invoice_counter = 0;
  std::string initials, tax_id, vat;
  City home{};
  std::vector<size_t> sites;
};

struct PoLine {
  int64_t id = 0;
  int64_t line_num = 0;
  const Item* item = nullptr;
  int64_t quantity = 0, unit_price = 0;  // price in cents
  int64_t invoiced = 0;                  // quantity invoiced
};

struct PurchaseOrder {
  int64_t id = 0;
  std::string number, type = "STANDARD", status, approved_flag = "N", closed = "OPEN", cancel = "N", comments;
  size_t supplier = 0, site = 0;
  int64_t agent = 0, org_id = 0;
  Day created = 0;
  std::optional<Day> approved;
  std::vector<PoLine> lines;
  uint64_t order = 0;  // creation sequence, for stable sorting
  // A scripted order (see add_story_orders): invoiced on this day and left unpaid.
  std::optional<Day> story_invoice;
};

struct InvoiceLine {
  std::string type;  // ITEM, FREIGHT, TAX, MISCELLANEOUS
  int64_t amount = 0;
  std::string description;
  std::optional<int64_t> quantity, unit_price;
  std::optional<size_t> po, po_line;  // indices
  std::string account;                // natural account
};

struct Invoice {
  int64_t id = 0;
  std::string number, type = "STANDARD", approval = "APPROVED", source = "Manual Invoice Entry", description;
  size_t supplier = 0, site = 0;
  int64_t org_id = 0;
  std::string currency;
  Day date = 0, gl_date = 0, due = 0;
  std::optional<size_t> po;
  std::optional<Day> cancelled;
  std::vector<InvoiceLine> lines;
  int64_t amount = 0, paid = 0;
  bool utility = false;
  bool hold_payment = false;  // scripted: stays unpaid
  uint64_t order = 0;
};

struct Payment {  // one planned application of money to an invoice
  size_t invoice;
  int64_t amount;
  Day date;
};

struct Check {
  int64_t id = 0, number = 0;
  size_t site = 0;
  int64_t org_id = 0;
  std::string currency, method, payment_type = "A", status;
  std::optional<std::string> checkrun;
  Day date = 0;
  std::optional<Day> cleared, voided;
  int64_t amount = 0;
  std::vector<size_t> payments;  // indices into payments_
  bool has_credit = false;
  uint64_t order = 0;
};

struct InvoicePayment {
  int64_t id = 0;
  size_t invoice = 0, check = 0;
  int64_t amount = 0;
  Day date = 0;
  bool reversal_flag = false;
  std::optional<size_t> reverses;  // index of the reversed row
};

// ---------------------------------------------------------------------------
// Rows for SQLite, by column name (checked against the schema).

using Cell = std::variant<std::monostate, int64_t, double, std::string>;

Cell money(int64_t cents) {
  return static_cast<double>(cents) / 100.0;
}
Cell text_or_null(const std::optional<std::string>& s) {
  return s ? Cell(*s) : Cell();
}
Cell day_or_null(const std::optional<Day>& d) {
  return d ? Cell(iso(*d)) : Cell();
}
Cell flag(bool b) {
  return std::string(b ? "Y" : "N");
}

class TableRows {
 public:
  explicit TableRows(const TableDef* def) : def_(def) {
    for (size_t i = 0; i < def->columns.size(); ++i) index_[def->columns[i].name] = i;
  }
  void add() { rows_.emplace_back(def_->columns.size()); }
  void set(const std::string& column, Cell value) {
    auto it = index_.find(column);
    if (it == index_.end()) {
      unknown_.insert(column);
      return;
    }
    rows_.back()[it->second] = std::move(value);
  }
  const TableDef& def() const { return *def_; }
  const std::vector<std::vector<Cell>>& rows() const { return rows_; }
  const std::set<std::string>& unknown() const { return unknown_; }

 private:
  const TableDef* def_;
  std::map<std::string, size_t> index_;
  std::vector<std::vector<Cell>> rows_;
  std::set<std::string> unknown_;
};

// ---------------------------------------------------------------------------
// The generator: builds every entity in memory, then renders rows.

class Generator {
 public:
  Generator() : rng_(kSeed) {}

  void run() {
    make_suppliers();
    make_sites();
    make_purchase_orders();
    make_po_invoices();
    make_utility_invoices();
    make_service_invoices();
    make_credit_memos();
    finalize_invoices();
    plan_payments();
    make_checks();
    apply_credit_memos();
    void_checks();
    finalize_payments();
    close_purchase_orders();
  }

  // Renders every table, in schema order.
  std::vector<TableRows> render() {
    std::vector<TableRows> out;
    for (const auto& def : ebs_schema()) out.emplace_back(&def);
    auto table = [&](const char* name) -> TableRows& {
      for (auto& t : out)
        if (t.def().name == name) return t;
      return out.front();  // unreachable with a consistent schema
    };
    render_units(table("HR_OPERATING_UNITS"));
    render_people(table("PER_ALL_PEOPLE_F"));
    render_accounts(table("GL_CODE_COMBINATIONS"));
    render_categories(table("MTL_CATEGORIES_B"));
    render_suppliers(table("AP_SUPPLIERS"));
    render_sites(table("AP_SUPPLIER_SITES_ALL"));
    render_purchase_orders(table("PO_HEADERS_ALL"), table("PO_LINES_ALL"));
    render_invoices(table("AP_INVOICES_ALL"), table("AP_INVOICE_LINES_ALL"), table("AP_INVOICE_DISTRIBUTIONS_ALL"),
                    table("AP_PAYMENT_SCHEDULES_ALL"));
    render_checks(table("AP_CHECKS_ALL"));
    render_invoice_payments(table("AP_INVOICE_PAYMENTS_ALL"));
    return out;
  }

 private:
  // ---- suppliers ---------------------------------------------------------
  // A new supplier name: prefix + industry word + legal form. The prefix+word base is unique
  // and a prefix is used at most twice, so names stay distinguishable.
  std::string make_name(const Category& cat, const std::string& country) {
    const auto& prefixes = country == "GB" ? kGbPrefixes : (country == "DE" ? kDePrefixes : kUsPrefixes);
    for (int attempt = 0; attempt < 1000; ++attempt) {
      const std::string prefix = rng_.pick(prefixes);
      const std::string base = prefix + " " + rng_.pick(cat.words);
      if (prefix_uses_[prefix] >= (attempt < 500 ? 2 : 3) || !bases_.insert(base).second) continue;
      ++prefix_uses_[prefix];
      std::string legal;
      if (country == "GB") {
        legal = rng_.chance(15) ? " plc" : " Ltd";
      } else if (country == "DE") {
        legal = rng_.chance(20) ? " AG" : " GmbH";
      } else {
        legal = cat.id == 113 ? " LLP" : (cat.billing == Billing::kUtility ? "" : rng_.pick(kUsLegal));
      }
      return base + legal;
    }
    return "Supplier " + std::to_string(bases_.size());
  }

  static std::string initials_of(const std::string& name) {
    std::string out;
    bool start = true;
    for (char c : name) {
      if (c == ' ') {
        start = true;
      } else if (start) {
        if (c >= 'A' && c <= 'Z') out += c;
        start = false;
      }
    }
    return out.size() >= 2 ? out : out + "X";
  }

  void make_suppliers() {
    const Category* office = &categories()[0];
    const Category* steel = nullptr;
    for (const auto& c : categories())
      if (c.id == 106) steel = &c;

    auto add = [&](const Category* cat, std::string name, const std::string& country) {
      Supplier s;
      s.category = cat;
      s.country = country;
      bases_.insert(name);
      s.name = std::move(name);
      s.type = cat ? cat->vendor_type : "TAX AUTHORITY";
      suppliers_.push_back(std::move(s));
    };
    // Two anchors that the questions and docs refer to.
    add(office, "Acme Office Supplies", "US");
    suppliers_.back().anchor = true;
    add(steel, "Global Steel Corp", "US");
    suppliers_.back().anchor = true;
    for (const auto& cat : categories()) {
      int count = cat.supplier_count - ((&cat == office || &cat == steel) ? 1 : 0);
      for (int i = 0; i < count; ++i) {
        const int r = static_cast<int>(rng_.range(0, 99));
        std::string country = r < 76 ? "US" : (r < 88 ? "GB" : "DE");
        add(&cat, make_name(cat, country), country);
      }
    }
    add(nullptr, "Internal Revenue Service", "US");
    add(nullptr, "HM Revenue & Customs", "GB");

    for (auto& s : suppliers_) {
      const bool tax = s.category == nullptr;
      const bool newcomer = !s.anchor && !tax && rng_.chance(7);
      s.start = newcomer ? rng_.range(make_day(2024, 10, 1), make_day(2024, 12, 20))
                         : rng_.range(make_day(2012, 1, 1), make_day(2023, 6, 30));
      if (tax) s.start = make_day(2010, 1, 4);
      s.start = business_day(s.start);
      s.active = !tax && !newcomer && (s.anchor || !rng_.chance(11));
      if (!s.anchor && !tax && !newcomer && rng_.chance(7)) {
        s.end = rng_.range(make_day(2023, 1, 15), make_day(2024, 6, 28));
      }
      if (s.country == "US") {
        s.method = s.category && s.category->billing == Billing::kUtility ? "EFT" : (rng_.chance(55) ? "CHECK" : "EFT");
      } else {
        s.method = rng_.chance(50) ? "WIRE" : "EFT";
      }
      if (s.anchor) s.method = s.name == "Acme Office Supplies" ? "CHECK" : "EFT";
      static const std::vector<int> kTerms = {30, 30, 30, 30, 45, 60, 15, 10};
      s.terms = tax ? 0 : rng_.pick(kTerms);
      s.small = !tax && rng_.chance(25);
      s.invoice_style = static_cast<int>(rng_.range(0, 3));
      s.invoice_counter = rng_.range(1000, 90000);
      s.initials = initials_of(s.name);
      if (s.country == "US") {
        s.tax_id = rng_.digits(2) + "-" + rng_.digits(7);
      } else {
        s.vat = s.country + rng_.digits(9);
      }
      const auto& cities = s.country == "US" ? kUsCities : (s.country == "GB" ? kGbCities : kDeCities);
      s.home = rng_.pick(cities);
    }
    // Anchors live where the questions expect them.
    suppliers_[0].home = kUsCities[1];   // Chicago
    suppliers_[1].home = kUsCities[11];  // Pittsburgh
    suppliers_[0].start = make_day(2014, 3, 3);
    suppliers_[1].start = make_day(2013, 9, 16);
    suppliers_[0].small = true;
    suppliers_[1].small = false;
    // Three suppliers with payments on hold.
    int holds = 0;
    for (auto& s : suppliers_) {
      if (holds < 3 && s.active && !s.anchor && !s.end && s.category->billing == Billing::kPurchaseOrders &&
          rng_.chance(12)) {
        s.hold = true;
        ++holds;
      }
    }
    // Vendor ids follow the creation date, as a sequence would assign them.
    std::vector<size_t> order(suppliers_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return suppliers_[a].start < suppliers_[b].start; });
    std::vector<Supplier> sorted;
    for (size_t i : order) sorted.push_back(std::move(suppliers_[i]));
    suppliers_ = std::move(sorted);
    for (size_t i = 0; i < suppliers_.size(); ++i) {
      suppliers_[i].id = 1001 + static_cast<int64_t>(i);
      suppliers_[i].number = std::to_string(31001 + 3 * static_cast<int64_t>(i));
    }
  }

  // ---- sites -------------------------------------------------------------
  std::string address_for(const std::string& country) {
    if (country == "GB") return std::to_string(rng_.range(1, 240)) + " " + rng_.pick(kGbStreets);
    if (country == "DE") return std::string(rng_.pick(kDeStreets)) + " " + std::to_string(rng_.range(1, 180));
    return std::to_string(rng_.range(100, 9800)) + " " + rng_.pick(kUsStreets);
  }

  std::string zip_for(const City& city, const std::string& country) {
    if (country == "GB") {
      std::string z = std::string(city.zip_prefix) + " " + std::to_string(rng_.range(1, 9));
      z += static_cast<char>('A' + rng_.range(0, 25));
      z += static_cast<char>('A' + rng_.range(0, 25));
      return z;
    }
    if (country == "DE") return std::string(city.zip_prefix) + rng_.digits(3);
    return std::string(city.zip_prefix) + rng_.digits(2);
  }

  std::string bank_account_for(const std::string& country) {
    if (country == "GB") return "GB" + rng_.digits(2) + "BARC" + rng_.digits(14);
    if (country == "DE") return "DE" + rng_.digits(20);
    return rng_.digits(static_cast<int>(rng_.range(9, 12)));
  }

  void add_site(size_t supplier, const City& city, const std::string& country, std::string code, bool pay,
                bool purchasing) {
    Supplier& s = suppliers_[supplier];
    Site site;
    site.supplier = supplier;
    site.code = std::move(code);
    site.city = city.name;
    if (city.state) site.state = city.state;
    site.country = country;
    site.address = address_for(country);
    site.zip = zip_for(city, country);
    site.org_id = unit_for_country(country).id;
    site.pay = pay;
    site.purchasing = purchasing;
    site.created = s.start + (s.sites.empty() ? 0 : rng_.range(30, 900));
    if (site.created > kCutoff) site.created = s.start;
    site.bank_account = bank_account_for(country);
    site.id = 2001 + static_cast<int64_t>(sites_.size());
    s.sites.push_back(sites_.size());
    sites_.push_back(std::move(site));
  }

  static std::string upper(std::string s) {
    for (char& c : s) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    return s.size() > 15 ? s.substr(0, 15) : s;
  }

  void make_sites() {
    for (size_t i = 0; i < suppliers_.size(); ++i) {
      Supplier& s = suppliers_[i];
      if (s.category == nullptr) {  // tax authorities: one pay site
        const City city = s.country == "US" ? City{"Ogden", "UT", "844"} : City{"Newcastle", nullptr, "NE98"};
        add_site(i, city, s.country, upper(city.name), true, false);
        continue;
      }
      add_site(i, s.home, s.country, upper(s.home.name), true, true);
      const int r = static_cast<int>(rng_.range(0, 99));
      const int extra = s.anchor ? 2 : (r < 60 ? 0 : (r < 90 ? 1 : 2));
      std::set<std::string> used = {s.home.name};
      for (int k = 0; k < extra; ++k) {
        std::string country = s.country;
        if (country == "US" && rng_.chance(20)) country = "GB";
        const auto& cities = country == "US" ? kUsCities : (country == "GB" ? kGbCities : kDeCities);
        City city = rng_.pick(cities);
        for (int tries = 0; tries < 10 && used.count(city.name); ++tries) city = rng_.pick(cities);
        if (used.count(city.name)) continue;
        used.insert(city.name);
        const int kind = static_cast<int>(rng_.range(0, 3));  // 0,1: both; 2: purchasing only; 3: pay only
        std::string code = upper(city.name);
        if (kind == 3) code = upper("REMIT " + std::string(city.name));
        add_site(i, city, country, code, kind != 2, kind != 3);
        if (!s.anchor && rng_.chance(12)) {
          sites_.back().inactive = business_day(rng_.range(make_day(2022, 6, 1), make_day(2024, 9, 30)));
        }
      }
    }
  }

  // Active sites of a supplier usable for purchasing (or paying).
  std::vector<size_t> usable_sites(size_t supplier, bool purchasing) const {
    std::vector<size_t> out;
    for (size_t si : suppliers_[supplier].sites) {
      const Site& site = sites_[si];
      if (site.inactive) continue;
      if (purchasing ? (site.purchasing && site.pay) : site.pay) out.push_back(si);
    }
    return out;
  }

  std::optional<std::pair<Day, Day>> window(const Supplier& s, Day latest) const {
    const Day lo = std::max(kFirstDay, s.start);
    const Day hi = std::min(latest, s.end.value_or(latest));
    if (hi <= lo) return std::nullopt;
    return std::make_pair(lo, hi);
  }

  int64_t buyer_for(const Supplier& s, const Site& site, Day date) {
    std::vector<int64_t> candidates;
    const std::string country = site.country;
    for (const auto& p : kPeople) {
      if (country != p.country) continue;
      if (country == "US") {
        std::string families = std::string(",") + p.families + ",";
        if (families.find(std::string(",") + s.category->family + ",") == std::string::npos) continue;
      }
      const Day start = make_day(std::stoi(std::string(p.start, 4)), std::stoi(std::string(p.start + 5, 2)),
                                 std::stoi(std::string(p.start + 8, 2)));
      const Day end = make_day(std::stoi(std::string(p.end, 4)), std::stoi(std::string(p.end + 5, 2)),
                               std::stoi(std::string(p.end + 8, 2)));
      if (date < start || date > end) continue;
      candidates.push_back(p.id);
    }
    if (candidates.empty()) return kPeople[0].id;
    return rng_.pick(candidates);
  }

  // ---- purchase orders --------------------------------------------------
  void make_purchase_orders() {
    uint64_t order = 0;
    for (size_t i = 0; i < suppliers_.size(); ++i) {
      Supplier& s = suppliers_[i];
      if (!s.active || s.category == nullptr) continue;
      const Billing billing = s.category->billing;
      if (billing == Billing::kUtility || billing == Billing::kTravel) continue;
      int count = s.anchor ? 12 : static_cast<int>(rng_.range(2, 7));
      if (billing == Billing::kServices) count = static_cast<int>(rng_.range(0, 2));
      const auto win = window(s, make_day(2024, 12, 20));
      const auto sites = usable_sites(i, true);
      if (!win || sites.empty()) continue;
      for (int k = 0; k < count; ++k) {
        PurchaseOrder po;
        po.order = order++;
        po.supplier = i;
        po.site = rng_.pick(sites);
        po.org_id = sites_[po.site].org_id;
        po.created = business_day(rng_.range(win->first, win->second));
        if (po.created > kCutoff) po.created = win->second;
        po.agent = buyer_for(s, sites_[po.site], po.created);
        po.type = rng_.chance(8) ? "BLANKET" : "STANDARD";
        po.comments = std::string(po.type == "BLANKET" ? "Blanket agreement: " : "") + s.category->po_comment + " " +
                      quarter_year(po.created);
        const int r = static_cast<int>(rng_.range(0, 99));
        if (po.created > make_day(2024, 12, 6)) {
          po.status = r < 45 ? "APPROVED" : (r < 75 ? "IN PROCESS" : "INCOMPLETE");
        } else {
          po.status = r < 86   ? "APPROVED"
                      : r < 90 ? "REQUIRES REAPPROVAL"
                      : r < 94 ? "REJECTED"
                      : r < 97 ? "INCOMPLETE"
                               : "IN PROCESS";
        }
        if (po.status == "APPROVED" || po.status == "REQUIRES REAPPROVAL") {
          po.approved = std::min(kCutoff, po.created + rng_.range(0, 9));
          po.approved_flag = po.status == "APPROVED" ? "Y" : "R";
        }
        if (po.status == "APPROVED" && po.created < make_day(2024, 10, 1) && rng_.chance(4)) {
          po.cancel = "Y";
          po.closed = "FINALLY CLOSED";
        }
        // Lines: distinct items of the supplier's category.
        const auto& items = s.category->items;
        const int lr = static_cast<int>(rng_.range(0, 99));
        size_t n = lr < 30 ? 1 : (lr < 60 ? 2 : (lr < 80 ? 3 : (lr < 92 ? 4 : 5)));
        n = std::min(n, items.size());
        std::vector<size_t> pool(items.size());
        for (size_t j = 0; j < pool.size(); ++j) pool[j] = j;
        for (size_t j = 0; j < n; ++j) {
          const size_t pick = j + rng_.index(pool.size() - j);
          std::swap(pool[j], pool[pick]);
          PoLine line;
          line.item = &items[pool[j]];
          line.line_num = static_cast<int64_t>(j) + 1;
          line.quantity = rng_.range(line.item->min_qty, line.item->max_qty);
          line.unit_price = rng_.range(line.item->min_price, line.item->max_price);
          po.lines.push_back(line);
        }
        pos_.push_back(std::move(po));
      }
    }
    add_story_orders(order);
    std::stable_sort(pos_.begin(), pos_.end(), [](const PurchaseOrder& a, const PurchaseOrder& b) {
      return a.created != b.created ? a.created < b.created : a.order < b.order;
    });
    std::map<int64_t, int64_t> next_number;
    for (const auto& u : kUnits) next_number[u.id] = u.first_po_number;
    int64_t line_id = 40001;
    for (size_t i = 0; i < pos_.size(); ++i) {
      pos_[i].id = 3001 + static_cast<int64_t>(i);
      pos_[i].number = std::to_string(next_number[pos_[i].org_id]++);
      for (auto& line : pos_[i].lines) line.id = line_id++;
    }
  }

  // A few scripted facts that the demo questions and the README rely on, so that
  // they hold whatever the random draws: Global Steel Corp's large steel order of
  // October 2024 is invoiced in November and still unpaid at the end of the year.
  void add_story_orders(uint64_t& order) {
    struct Story {
      const char* supplier;
      int64_t y, m, d;  // creation date
      int64_t approve_days, invoice_days;
      std::vector<std::pair<const char*, std::pair<int64_t, int64_t>>> lines;  // item, (quantity, unit price cents)
    };
    const std::vector<Story> stories = {
        {"Global Steel Corp",
         2024,
         10,
         14,
         2,
         29,
         {{"Hot rolled steel coil", {150, 90500}}, {"Stainless steel sheet 304", {20, 295000}}}},
        {"Acme Office Supplies",
         2024,
         9,
         3,
         1,
         14,
         {{"Toner cartridge, black, high yield", {40, 12950}}, {"Copy paper, letter, 10-ream case", {60, 4599}}}},
    };
    for (const auto& story : stories) {
      size_t supplier = suppliers_.size();
      for (size_t i = 0; i < suppliers_.size(); ++i)
        if (suppliers_[i].name == story.supplier) supplier = i;
      if (supplier == suppliers_.size()) continue;
      const auto sites = usable_sites(supplier, true);
      if (sites.empty()) continue;
      const Supplier& s = suppliers_[supplier];
      PurchaseOrder po;
      po.order = order++;
      po.supplier = supplier;
      po.site = sites.front();
      po.org_id = sites_[po.site].org_id;
      po.created = make_day(story.y, story.m, story.d);
      po.agent = buyer_for(s, sites_[po.site], po.created);
      po.comments = std::string(s.category->po_comment) + " " + quarter_year(po.created);
      po.status = "APPROVED";
      po.approved_flag = "Y";
      po.approved = po.created + story.approve_days;
      po.story_invoice = business_day(*po.approved + story.invoice_days);
      for (const auto& [description, qp] : story.lines) {
        for (const auto& item : s.category->items) {
          if (std::string_view(item.description) != description) continue;
          PoLine line;
          line.item = &item;
          line.line_num = static_cast<int64_t>(po.lines.size()) + 1;
          line.quantity = qp.first;
          line.unit_price = qp.second;
          po.lines.push_back(line);
        }
      }
      pos_.push_back(std::move(po));
    }
  }

  // ---- invoices ----------------------------------------------------------
  Invoice new_invoice(size_t supplier, size_t site, Day date) {
    Invoice inv;
    inv.order = invoice_order_++;
    inv.supplier = supplier;
    inv.site = site;
    inv.org_id = sites_[site].org_id;
    inv.currency = unit_by_id(inv.org_id).currency;
    inv.date = date;
    return inv;
  }

  // Adds freight (goods only) and tax lines, as the site's country charges them.
  void add_charges(Invoice& inv, bool goods) {
    int64_t base = 0;
    for (const auto& l : inv.lines) base += l.amount;
    if (goods && rng_.chance(35)) {
      InvoiceLine freight;
      freight.type = "FREIGHT";
      freight.amount = std::max<int64_t>(5000, base * rng_.range(100, 400) / 10000);
      freight.description = "Freight charges";
      freight.account = "7420";
      base += freight.amount;
      inv.lines.push_back(freight);
    }
    const std::string& country = sites_[inv.site].country;
    InvoiceLine tax;
    tax.type = "TAX";
    if (country == "GB") {
      tax.amount = base * 20 / 100;
      tax.description = "VAT 20%";
    } else if (country == "DE") {
      tax.amount = base * 19 / 100;
      tax.description = "USt 19%";
    } else if (goods && rng_.chance(45)) {
      const int64_t bp = rng_.range(625, 950);
      tax.amount = base * bp / 10000;
      tax.description =
          "Sales tax " + std::to_string(bp / 100) + "." + (bp % 100 < 10 ? "0" : "") + std::to_string(bp % 100) + "%";
    } else {
      return;
    }
    tax.account = country == "US" ? "7710" : "1510";
    inv.lines.push_back(tax);
  }

  std::string pick_source(bool goods) {
    const int r = static_cast<int>(rng_.range(0, 99));
    if (goods && r < 15) return "ERS";
    if (r < 35) return "XML GATEWAY";
    if (r < 45) return "ISUPPLIER";
    return "Manual Invoice Entry";
  }

  void make_po_invoices() {
    for (size_t p = 0; p < pos_.size(); ++p) {
      PurchaseOrder& po = pos_[p];
      if (po.status != "APPROVED" || po.cancel == "Y" || !po.approved) continue;
      const Supplier& s = suppliers_[po.supplier];
      const bool recent = *po.approved > make_day(2024, 11, 20);
      if (!po.story_invoice && !rng_.chance(recent ? 35 : 88)) continue;
      const auto pay_sites = usable_sites(po.supplier, false);
      if (pay_sites.empty()) continue;
      const Day first = po.story_invoice ? *po.story_invoice : business_day(*po.approved + rng_.range(5, 40));
      if (first > kCutoff) continue;
      bool split = !po.story_invoice && rng_.chance(22);
      std::vector<int64_t> part1(po.lines.size());
      bool any_rest = false;
      for (size_t j = 0; j < po.lines.size(); ++j) {
        const int64_t q = po.lines[j].quantity;
        part1[j] = (split && q >= 2) ? std::max<int64_t>(1, q * rng_.range(40, 70) / 100) : q;
        any_rest = any_rest || part1[j] < q;
      }
      split = split && any_rest;
      // The invoice goes to the PO's site when it is a pay site, else to another pay site of the supplier.
      const size_t site = sites_[po.site].pay ? po.site : pay_sites.front();
      auto emit = [&](Day date, const std::vector<int64_t>& quantities, int part) {
        Invoice inv = new_invoice(po.supplier, site, date);
        inv.org_id = po.org_id;
        inv.currency = unit_by_id(po.org_id).currency;
        inv.po = p;
        inv.source = pick_source(s.category->goods);
        inv.description = "PO " + po.number + (part > 0 ? " partial billing " + std::to_string(part) : "") + " - " +
                          s.category->po_comment;
        for (size_t j = 0; j < po.lines.size(); ++j) {
          if (quantities[j] <= 0) continue;
          PoLine& pl = po.lines[j];
          InvoiceLine line;
          line.type = "ITEM";
          line.quantity = quantities[j];
          line.unit_price = pl.unit_price;
          line.amount = quantities[j] * pl.unit_price;
          line.description = pl.item->description;
          line.po = p;
          line.po_line = j;
          line.account = s.category->account;
          pl.invoiced += quantities[j];
          inv.lines.push_back(line);
        }
        add_charges(inv, s.category->goods);
        inv.hold_payment = po.story_invoice.has_value();
        invoices_.push_back(std::move(inv));
      };
      emit(first, part1, split ? 1 : 0);
      if (split) {
        const Day second = business_day(first + rng_.range(20, 75));
        if (second <= kCutoff) {
          std::vector<int64_t> part2(po.lines.size());
          for (size_t j = 0; j < po.lines.size(); ++j) part2[j] = po.lines[j].quantity - part1[j];
          emit(second, part2, 2);
        }
      }
    }
  }

  void make_utility_invoices() {
    for (size_t i = 0; i < suppliers_.size(); ++i) {
      const Supplier& s = suppliers_[i];
      if (!s.active || !s.category || s.category->billing != Billing::kUtility) continue;
      const auto sites = usable_sites(i, false);
      const auto win = window(s, kCutoff);
      if (sites.empty() || !win) continue;
      const bool quarterly = rng_.chance(40);
      const int64_t base = rng_.range(150000, 2500000);
      std::string service = "Electricity";
      if (s.name.find("Water") != std::string::npos) service = "Water and sewer";
      if (s.name.find("Gas") != std::string::npos) service = "Gas and electricity";
      if (s.name.find("Telecom") != std::string::npos) service = "Telephone and internet";
      const std::string account_number = rng_.digits(8);
      for (int64_t y = 2022; y <= 2024; ++y) {
        for (int64_t m = 1; m <= 12; ++m) {
          if (quarterly && (m - 1) % 3 != 0) continue;
          const Day date = business_day(make_day(y, m, rng_.range(3, 10)));
          if (date < win->first || date > win->second) continue;
          Invoice inv = new_invoice(i, sites.front(), date);
          inv.utility = true;
          inv.approval = "NOT REQUIRED";
          inv.source = rng_.chance(60) ? "XML GATEWAY" : "Manual Invoice Entry";
          // Seasonal: more in summer and winter.
          const int64_t season = (m == 1 || m == 2 || m == 7 || m == 8 || m == 12) ? 125 : 100;
          const int64_t amount = base * season / 100 * rng_.range(88, 112) / 100 * (quarterly ? 3 : 1);
          InvoiceLine line;
          line.type = "ITEM";
          line.amount = amount;
          line.description = service + " service " + month_year(date);
          line.account = s.category->account;
          inv.lines.push_back(line);
          inv.description = service + " " + month_year(date);
          char number[32];
          std::snprintf(number, sizeof number, "%s-%04d%02d", account_number.c_str(), static_cast<int>(y),
                        static_cast<int>(m));
          inv.number = number;  // utilities number by account and month
          add_charges(inv, false);
          invoices_.push_back(std::move(inv));
        }
      }
    }
  }

  void make_service_invoices() {
    for (size_t i = 0; i < suppliers_.size(); ++i) {
      const Supplier& s = suppliers_[i];
      if (!s.active || !s.category) continue;
      const Billing billing = s.category->billing;
      if (billing != Billing::kTravel && billing != Billing::kServices) continue;
      const auto sites = usable_sites(i, false);
      const auto win = window(s, kCutoff);
      if (sites.empty() || !win) continue;
      const int count = static_cast<int>(billing == Billing::kTravel ? rng_.range(4, 10) : rng_.range(2, 6));
      for (int k = 0; k < count; ++k) {
        const Day date = business_day(rng_.range(win->first, win->second));
        if (date > kCutoff) continue;
        Invoice inv = new_invoice(i, rng_.pick(sites), date);
        inv.source = pick_source(false);
        const auto& items = s.category->items;
        const int lines = static_cast<int>(rng_.range(1, billing == Billing::kTravel ? 3 : 2));
        for (int l = 0; l < lines; ++l) {
          const Item& item = rng_.pick(items);
          InvoiceLine line;
          line.type = "ITEM";
          const int64_t q = rng_.range(item.min_qty, item.max_qty);
          const int64_t price = rng_.range(item.min_price, item.max_price);
          if (billing == Billing::kServices) {
            line.quantity = q;
            line.unit_price = price;
          }
          line.amount = q * price;
          line.description = std::string(item.description) + " - " + month_year(date);
          line.account = s.category->account;
          inv.lines.push_back(line);
        }
        inv.description = std::string(s.category->description) + " " + month_year(date);
        add_charges(inv, false);
        invoices_.push_back(std::move(inv));
      }
    }
  }

  void make_credit_memos() {
    const size_t count = invoices_.size();
    int made = 0;
    for (size_t k = 0; k < count && made < 24; ++k) {
      if (!invoices_[k].po || !rng_.chance(6)) continue;
      const Invoice& original = invoices_[k];
      const Day date = business_day(original.date + rng_.range(10, 45));
      if (date > kCutoff) continue;
      const InvoiceLine& item = original.lines.front();
      Invoice cm = new_invoice(original.supplier, original.site, date);
      cm.org_id = original.org_id;
      cm.currency = original.currency;
      cm.type = "CREDIT";
      cm.po = original.po;
      cm.source = "Manual Invoice Entry";
      const bool returned = rng_.chance(50);
      InvoiceLine line;
      line.type = "ITEM";
      line.amount = -std::max<int64_t>(1000, item.amount * rng_.range(5, 25) / 100);
      line.description =
          std::string(returned ? "Credit: goods returned - " : "Credit: price adjustment - ") + item.description;
      line.po = item.po;
      line.po_line = item.po_line;
      line.account = item.account;
      cm.lines.push_back(line);
      cm.description = returned ? "Credit memo for returned goods" : "Credit memo for price adjustment";
      invoices_.push_back(std::move(cm));
      ++made;
    }
  }

  std::string next_invoice_number(Supplier& s, const Invoice& inv) {
    s.invoice_counter += rng_.range(1, 37);
    const Civil c = civil(inv.date);
    char buf[64];
    if (inv.type == "CREDIT") {
      std::snprintf(buf, sizeof buf, "CM-%06lld", static_cast<long long>(s.invoice_counter));
      return buf;
    }
    switch (s.invoice_style) {
      case 0: std::snprintf(buf, sizeof buf, "INV-%06lld", static_cast<long long>(s.invoice_counter)); break;
      case 1: std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(s.invoice_counter)); break;
      case 2:
        std::snprintf(buf, sizeof buf, "%s-%04d-%05lld", s.initials.c_str(), static_cast<int>(c.year),
                      static_cast<long long>(s.invoice_counter));
        break;
      default:
        std::snprintf(buf, sizeof buf, "%02d%02d-%05lld", static_cast<int>(c.year % 100), static_cast<int>(c.month),
                      static_cast<long long>(s.invoice_counter));
        break;
    }
    return buf;
  }

  void finalize_invoices() {
    std::stable_sort(invoices_.begin(), invoices_.end(), [](const Invoice& a, const Invoice& b) {
      return a.date != b.date ? a.date < b.date : a.order < b.order;
    });
    for (size_t k = 0; k < invoices_.size(); ++k) {
      Invoice& inv = invoices_[k];
      Supplier& s = suppliers_[inv.supplier];
      inv.id = 100001 + static_cast<int64_t>(k);
      if (inv.number.empty()) inv.number = next_invoice_number(s, inv);
      inv.amount = 0;
      for (const auto& l : inv.lines) inv.amount += l.amount;
      inv.gl_date = std::min(kCutoff, inv.date + rng_.range(0, 4));
      inv.due = inv.type == "CREDIT" ? inv.date : inv.date + s.terms;
      if (inv.type == "CREDIT" || inv.utility || inv.hold_payment) continue;
      const int r = static_cast<int>(rng_.range(0, 99));
      if (inv.date > kCutoff - 20) {
        inv.approval = r < 55 ? "REQUIRED" : "APPROVED";
      } else {
        inv.approval = r < 3 ? "REJECTED" : (r < 9 ? "MANUALLY APPROVED" : "APPROVED");
        if (inv.date < kCutoff - 30 && rng_.chance(3)) {
          inv.cancelled = std::min(kCutoff, business_day(inv.date + rng_.range(3, 30)));
        }
      }
    }
  }

  // ---- payments ----------------------------------------------------------
  // The weekly payment batch day of the operating unit on or after `d`, or the one before
  // when that is past the cutoff; nullopt when that falls before `not_before`.
  std::optional<Day> payment_run(int64_t org_id, Day d, Day not_before) const {
    const int target = unit_by_id(org_id).payment_weekday;
    Day run = d + ((target - weekday(d)) + 7) % 7;
    if (run > kCutoff) run -= 7;
    if (run < not_before) return std::nullopt;
    return run;
  }

  void plan_payments() {
    for (size_t k = 0; k < invoices_.size(); ++k) {
      const Invoice& inv = invoices_[k];
      const Supplier& s = suppliers_[inv.supplier];
      if (inv.type != "STANDARD" || inv.cancelled || inv.hold_payment) continue;
      if (inv.approval == "REQUIRED" || inv.approval == "REJECTED") continue;
      if (s.hold && inv.date >= make_day(2024, 6, 1)) continue;
      const Day earliest = inv.date + 3;
      auto pay = [&](int64_t amount, Day when) -> bool {
        const auto run = payment_run(inv.org_id, std::min(when, kCutoff), earliest);
        if (!run) return false;
        payments_.push_back(Payment{k, amount, *run});
        return true;
      };
      if (inv.due > kCutoff) {
        if (rng_.chance(25)) pay(inv.amount, rng_.range(inv.date + 7, std::max(inv.date + 7, kCutoff)));
        continue;
      }
      // Old invoices are almost all settled; recent ones are more often still open.
      const bool old = inv.due < kCutoff - 180;
      const int r = static_cast<int>(rng_.range(0, 99));
      const Day when = std::max(earliest, inv.due + rng_.range(-7, 21));
      if (r < (old ? 95 : 86)) {
        if (inv.amount >= 100000 && rng_.chance(7)) {
          const int64_t first = inv.amount * rng_.range(40, 60) / 100;
          if (pay(first, when)) {
            const Day later = when + rng_.range(14, 45);
            if (later <= kCutoff) pay(inv.amount - first, later);
          }
        } else {
          pay(inv.amount, when);
        }
      } else if (r < (old ? 97 : 93)) {
        pay(inv.amount * rng_.range(30, 70) / 100, when);
      }
    }
  }

  void make_checks() {
    // One check per site, currency and payment date; payments are already in invoice order.
    std::map<std::tuple<Day, int64_t, std::string>, size_t> by_key;
    for (size_t p = 0; p < payments_.size(); ++p) {
      const Payment& pay = payments_[p];
      const Invoice& inv = invoices_[pay.invoice];
      const auto key = std::make_tuple(pay.date, sites_[inv.site].id, inv.currency);
      auto it = by_key.find(key);
      if (it == by_key.end()) {
        Check c;
        c.order = checks_.size();
        c.site = inv.site;
        c.org_id = inv.org_id;
        c.currency = inv.currency;
        c.method = suppliers_[inv.supplier].method;
        c.date = pay.date;
        if (c.method == "CHECK" && rng_.chance(4)) {
          c.payment_type = "M";
        } else {
          c.checkrun = std::string(unit_by_id(c.org_id).short_code) + " WEEKLY " + iso(pay.date);
        }
        it = by_key.emplace(key, checks_.size()).first;
        checks_.push_back(std::move(c));
      }
      checks_[it->second].payments.push_back(p);
      checks_[it->second].amount += pay.amount;
    }
  }

  void apply_credit_memos() {
    for (size_t k = 0; k < invoices_.size(); ++k) {
      const Invoice& cm = invoices_[k];
      if (cm.type != "CREDIT") continue;
      for (size_t c = 0; c < checks_.size(); ++c) {
        Check& check = checks_[c];
        if (check.site != cm.site || check.currency != cm.currency) continue;
        if (check.date < cm.date + 3 || check.date > cm.date + 120) continue;
        if (check.amount < -2 * cm.amount) continue;
        payments_.push_back(Payment{k, cm.amount, check.date});
        check.payments.push_back(payments_.size() - 1);
        check.amount += cm.amount;
        check.has_credit = true;
        break;
      }
    }
  }

  void void_checks() {
    const size_t count = checks_.size();
    for (size_t c = 0; c < count; ++c) {
      if (checks_[c].date > make_day(2024, 10, 31) || checks_[c].has_credit || checks_[c].payment_type != "A") continue;
      if (!rng_.chance(3)) continue;
      Check& original = checks_[c];
      original.voided = original.date + rng_.range(1, 6);
      Check replacement;
      replacement.order = checks_.size();
      replacement.site = original.site;
      replacement.org_id = original.org_id;
      replacement.currency = original.currency;
      replacement.method = original.method;
      replacement.payment_type = "Q";
      replacement.date = business_day(*original.voided + rng_.range(1, 7));
      replacement.amount = original.amount;
      for (size_t p : original.payments) {
        payments_.push_back(Payment{payments_[p].invoice, payments_[p].amount, replacement.date});
        replacement.payments.push_back(payments_.size() - 1);
      }
      voided_.insert(c);
      checks_.push_back(std::move(replacement));
    }
  }

  void finalize_payments() {
    // Check ids and numbers follow the payment date; numbers run per bank account.
    std::vector<size_t> order(checks_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return checks_[a].date != checks_[b].date ? checks_[a].date < checks_[b].date
                                                : checks_[a].order < checks_[b].order;
    });
    std::map<int64_t, int64_t> next_number;
    for (const auto& u : kUnits) next_number[u.id] = u.first_check_number;
    check_order_ = order;
    for (size_t rank = 0; rank < order.size(); ++rank) {
      Check& c = checks_[order[rank]];
      c.id = 200001 + static_cast<int64_t>(rank);
      c.number = next_number[c.org_id]++;
      if (voided_.count(order[rank])) {
        c.status = "VOIDED";
      } else if (c.date < kCutoff - 45) {
        c.status = rng_.chance(70) ? "RECONCILED" : "CLEARED";
      } else if (c.date < kCutoff - 10) {
        c.status = rng_.chance(60) ? "CLEARED" : "NEGOTIABLE";
      } else {
        c.status = "NEGOTIABLE";
      }
      if (c.status == "CLEARED" || c.status == "RECONCILED") c.cleared = std::min(kCutoff, c.date + rng_.range(2, 9));
    }
    // Invoice payments, with reversals for voided checks.
    for (size_t rank = 0; rank < order.size(); ++rank) {
      const size_t ci = order[rank];
      const Check& c = checks_[ci];
      for (size_t p : c.payments) {
        InvoicePayment ip;
        ip.invoice = payments_[p].invoice;
        ip.check = ci;
        ip.amount = payments_[p].amount;
        ip.date = c.date;
        ip.reversal_flag = voided_.count(ci) > 0;
        ips_.push_back(ip);
        if (ip.reversal_flag) {
          InvoicePayment rev = ip;
          rev.amount = -ip.amount;
          rev.date = *c.voided;
          rev.reverses = ips_.size() - 1;
          ips_.push_back(rev);
        } else {
          invoices_[ip.invoice].paid += ip.amount;
        }
      }
    }
    std::vector<size_t> ip_order(ips_.size());
    for (size_t i = 0; i < ip_order.size(); ++i) ip_order[i] = i;
    std::stable_sort(ip_order.begin(), ip_order.end(), [&](size_t a, size_t b) { return ips_[a].date < ips_[b].date; });
    for (size_t rank = 0; rank < ip_order.size(); ++rank) ips_[ip_order[rank]].id = 300001 + static_cast<int64_t>(rank);
    ip_order_ = std::move(ip_order);
  }

  void close_purchase_orders() {
    std::vector<Day> last_invoice(pos_.size(), 0);
    for (const auto& inv : invoices_)
      if (inv.po && inv.type == "STANDARD") last_invoice[*inv.po] = std::max(last_invoice[*inv.po], inv.date);
    for (size_t p = 0; p < pos_.size(); ++p) {
      PurchaseOrder& po = pos_[p];
      if (po.cancel == "Y" || po.status != "APPROVED") continue;
      bool complete = true;
      for (const auto& l : po.lines) complete = complete && l.invoiced >= l.quantity;
      po.closed = (complete && last_invoice[p] > 0 && last_invoice[p] < make_day(2024, 9, 30)) ? "CLOSED" : "OPEN";
    }
  }

  // ---- rendering ---------------------------------------------------------
  static void render_units(TableRows& t) {
    for (const auto& u : kUnits) {
      t.add();
      t.set("BUSINESS_GROUP_ID", int64_t{202});
      t.set("ORGANIZATION_ID", u.id);
      t.set("NAME", std::string(u.name));
      t.set("SHORT_CODE", std::string(u.short_code));
      t.set("SET_OF_BOOKS_ID", u.ledger_id);
      t.set("DATE_FROM", std::string(u.id == 204 ? "2000-01-01" : (u.id == 458 ? "2005-04-01" : "2010-01-01")));
      t.set("DATE_TO", Cell());
      t.set("USABLE_FLAG", std::string("Y"));
    }
  }

  static void render_people(TableRows& t) {
    int64_t employee = 1001;
    for (const auto& p : kPeople) {
      const bool current = std::string(p.end) == "4712-12-31";
      t.add();
      t.set("PERSON_ID", p.id);
      t.set("EFFECTIVE_START_DATE", std::string(p.start));
      t.set("EFFECTIVE_END_DATE", std::string(p.end));
      t.set("BUSINESS_GROUP_ID", int64_t{202});
      t.set("EMPLOYEE_NUMBER", std::to_string(employee++));
      t.set("FIRST_NAME", std::string(p.first));
      t.set("LAST_NAME", std::string(p.last));
      t.set("FULL_NAME", std::string(p.last) + ", " + p.first);
      std::string email = std::string(p.first) + "." + p.last + "@vision.example.com";
      for (char& c : email) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      t.set("EMAIL_ADDRESS", email);
      t.set("CURRENT_EMPLOYEE_FLAG", current ? Cell(std::string("Y")) : Cell());
    }
  }

  void render_accounts(TableRows& t) {
    int64_t id = 12001;
    for (const auto& u : kUnits) {
      for (const auto& a : accounts()) {
        for (const char* cc : a.cost_centers) {
          ccid_[std::string(u.company) + "." + cc + "." + a.account] = id;
          t.add();
          t.set("CODE_COMBINATION_ID", id++);
          t.set("SEGMENT1", std::string(u.company));
          t.set("SEGMENT2", std::string(cc));
          t.set("SEGMENT3", std::string(a.account));
          t.set("SEGMENT4", std::string("0000"));
          t.set("ACCOUNT_TYPE", std::string(1, a.type));
          // Germany does not use the furniture account for sales.
          const bool disabled = u.id == 1531 && std::string(a.account) == "7540" && std::string(cc) == "310";
          t.set("ENABLED_FLAG", flag(!disabled));
        }
      }
    }
  }

  static void render_categories(TableRows& t) {
    for (const auto& c : categories()) {
      t.add();
      t.set("CATEGORY_ID", c.id);
      t.set("SEGMENT1", std::string(c.family));
      t.set("SEGMENT2", std::string(c.klass));
      t.set("DESCRIPTION", std::string(c.description));
      t.set("ENABLED_FLAG", std::string("Y"));
    }
    // A retired category, never used.
    t.add();
    t.set("CATEGORY_ID", int64_t{199});
    t.set("SEGMENT1", std::string("OFFICE"));
    t.set("SEGMENT2", std::string("PRINTING"));
    t.set("DESCRIPTION", std::string("Printing services (retired)"));
    t.set("ENABLED_FLAG", std::string("N"));
  }

  void render_suppliers(TableRows& t) const {
    for (const auto& s : suppliers_) {
      t.add();
      t.set("VENDOR_ID", s.id);
      t.set("VENDOR_NAME", s.name);
      t.set("SEGMENT1", s.number);
      t.set("VENDOR_TYPE_LOOKUP_CODE", s.type);
      t.set("ENABLED_FLAG", flag(!s.end));
      t.set("START_DATE_ACTIVE", iso(s.start));
      t.set("END_DATE_ACTIVE", day_or_null(s.end));
      t.set("PAYMENT_METHOD_LOOKUP_CODE", s.method);
      t.set("PAYMENT_TERMS_DAYS", static_cast<int64_t>(s.terms));
      t.set("SMALL_BUSINESS_FLAG", flag(s.small));
      t.set("HOLD_ALL_PAYMENTS_FLAG", flag(s.hold));
      t.set("NUM_1099", s.tax_id.empty() ? Cell() : Cell(s.tax_id));
      t.set("VAT_REGISTRATION_NUM", s.vat.empty() ? Cell() : Cell(s.vat));
      t.set("CREATION_DATE", iso(s.start));
    }
  }

  void render_sites(TableRows& t) const {
    for (const auto& s : sites_) {
      t.add();
      t.set("VENDOR_SITE_ID", s.id);
      t.set("VENDOR_ID", suppliers_[s.supplier].id);
      t.set("VENDOR_SITE_CODE", s.code);
      t.set("ADDRESS_LINE1", s.address);
      t.set("CITY", s.city);
      t.set("STATE", text_or_null(s.state));
      t.set("ZIP", s.zip);
      t.set("COUNTRY", s.country);
      t.set("ORG_ID", s.org_id);
      t.set("PAY_SITE_FLAG", flag(s.pay));
      t.set("PURCHASING_SITE_FLAG", flag(s.purchasing));
      t.set("INACTIVE_DATE", day_or_null(s.inactive));
      t.set("CREATION_DATE", iso(s.created));
    }
  }

  void render_purchase_orders(TableRows& headers, TableRows& lines) const {
    for (const auto& po : pos_) {
      headers.add();
      headers.set("PO_HEADER_ID", po.id);
      headers.set("SEGMENT1", po.number);
      headers.set("TYPE_LOOKUP_CODE", po.type);
      headers.set("VENDOR_ID", suppliers_[po.supplier].id);
      headers.set("VENDOR_SITE_ID", sites_[po.site].id);
      headers.set("AGENT_ID", po.agent);
      headers.set("ORG_ID", po.org_id);
      headers.set("CURRENCY_CODE", std::string(unit_by_id(po.org_id).currency));
      headers.set("AUTHORIZATION_STATUS", po.status);
      headers.set("APPROVED_FLAG", po.approved_flag);
      headers.set("APPROVED_DATE", day_or_null(po.approved));
      headers.set("CLOSED_CODE", po.closed);
      headers.set("CANCEL_FLAG", po.cancel);
      headers.set("COMMENTS", po.comments);
      headers.set("CREATION_DATE", iso(po.created));
      const Category* category = suppliers_[po.supplier].category;
      for (const auto& l : po.lines) {
        lines.add();
        lines.set("PO_LINE_ID", l.id);
        lines.set("PO_HEADER_ID", po.id);
        lines.set("LINE_NUM", l.line_num);
        lines.set("CATEGORY_ID", category->id);
        lines.set("ITEM_DESCRIPTION", std::string(l.item->description));
        lines.set("UNIT_MEAS_LOOKUP_CODE", std::string(l.item->uom));
        lines.set("QUANTITY", static_cast<double>(l.quantity));
        lines.set("UNIT_PRICE", money(l.unit_price));
        lines.set("ORG_ID", po.org_id);
      }
    }
  }

  std::string payment_status(int64_t amount, int64_t paid) const {
    if (paid == 0) return "N";
    return paid == amount ? "Y" : "P";
  }

  void render_invoices(TableRows& headers, TableRows& lines, TableRows& dists, TableRows& schedules) {
    int64_t dist_id = 500001;
    for (const auto& inv : invoices_) {
      const Supplier& s = suppliers_[inv.supplier];
      const std::string status = payment_status(inv.amount, inv.paid);
      headers.add();
      headers.set("INVOICE_ID", inv.id);
      headers.set("INVOICE_NUM", inv.number);
      headers.set("INVOICE_TYPE_LOOKUP_CODE", inv.type);
      headers.set("VENDOR_ID", s.id);
      headers.set("VENDOR_SITE_ID", sites_[inv.site].id);
      headers.set("ORG_ID", inv.org_id);
      headers.set("INVOICE_DATE", iso(inv.date));
      headers.set("GL_DATE", iso(inv.gl_date));
      headers.set("INVOICE_CURRENCY_CODE", inv.currency);
      headers.set("INVOICE_AMOUNT", money(inv.amount));
      headers.set("AMOUNT_PAID", money(inv.paid));
      headers.set("PAYMENT_STATUS_FLAG", status);
      headers.set("WFAPPROVAL_STATUS", inv.approval);
      headers.set("SOURCE", inv.source);
      headers.set("DESCRIPTION", inv.description);
      headers.set("PO_HEADER_ID", inv.po ? Cell(pos_[*inv.po].id) : Cell());
      headers.set("CANCELLED_DATE", day_or_null(inv.cancelled));
      headers.set("CANCELLED_AMOUNT", inv.cancelled ? money(inv.amount) : Cell());
      headers.set("CREATION_DATE", iso(inv.gl_date));

      schedules.add();
      schedules.set("INVOICE_ID", inv.id);
      schedules.set("PAYMENT_NUM", int64_t{1});
      schedules.set("DUE_DATE", iso(inv.due));
      schedules.set("GROSS_AMOUNT", money(inv.amount));
      schedules.set("AMOUNT_REMAINING", money(inv.cancelled ? 0 : inv.amount - inv.paid));
      schedules.set("PAYMENT_STATUS_FLAG", status);
      schedules.set("ORG_ID", inv.org_id);

      const std::string company = unit_by_id(inv.org_id).company;
      const bool us = sites_[inv.site].country == "US";
      for (size_t n = 0; n < inv.lines.size(); ++n) {
        const InvoiceLine& l = inv.lines[n];
        const int64_t number = static_cast<int64_t>(n) + 1;
        lines.add();
        lines.set("INVOICE_ID", inv.id);
        lines.set("LINE_NUMBER", number);
        lines.set("LINE_TYPE_LOOKUP_CODE", l.type);
        lines.set("AMOUNT", money(l.amount));
        lines.set("DESCRIPTION", l.description);
        lines.set("QUANTITY_INVOICED", l.quantity ? Cell(static_cast<double>(*l.quantity)) : Cell());
        lines.set("UNIT_PRICE", l.unit_price ? money(*l.unit_price) : Cell());
        lines.set("PO_HEADER_ID", l.po ? Cell(pos_[*l.po].id) : Cell());
        lines.set("PO_LINE_ID", l.po ? Cell(pos_[*l.po].lines[*l.po_line].id) : Cell());
        lines.set("ACCOUNTING_DATE", iso(inv.gl_date));
        lines.set("ORG_ID", inv.org_id);

        // Distributions: one per line, some item lines split across two cost centers.
        std::string dist_type = l.type;
        if (l.type == "TAX") dist_type = us ? "NONREC_TAX" : "REC_TAX";
        const auto& centers = cost_centers_of(l.account);
        std::vector<std::pair<std::string, int64_t>> parts;
        const std::string cc1 = rng_.pick(centers);
        if (l.type == "ITEM" && centers.size() >= 2 && (l.amount >= 10000 || l.amount <= -10000) && rng_.chance(15)) {
          std::string cc2 = rng_.pick(centers);
          while (cc2 == cc1) cc2 = rng_.pick(centers);
          const int64_t first = l.amount * rng_.range(40, 70) / 100;
          parts = {{cc1, first}, {cc2, l.amount - first}};
        } else {
          parts = {{cc1, l.amount}};
        }
        int64_t dist_number = 1;
        for (const auto& [cc, amount] : parts) {
          const auto it = ccid_.find(company + "." + cc + "." + l.account);
          if (it == ccid_.end()) missing_accounts_.insert(company + "." + cc + "." + l.account);
          dists.add();
          dists.set("INVOICE_DISTRIBUTION_ID", dist_id++);
          dists.set("INVOICE_ID", inv.id);
          dists.set("INVOICE_LINE_NUMBER", number);
          dists.set("DISTRIBUTION_LINE_NUMBER", dist_number++);
          dists.set("LINE_TYPE_LOOKUP_CODE", dist_type);
          dists.set("AMOUNT", money(amount));
          dists.set("DIST_CODE_COMBINATION_ID", it == ccid_.end() ? Cell() : Cell(it->second));
          dists.set("DESCRIPTION", l.description);
          dists.set("ACCOUNTING_DATE", iso(inv.gl_date));
          dists.set("PERIOD_NAME", period_name(inv.gl_date));
          dists.set("POSTED_FLAG", flag(inv.gl_date < kPostedBefore));
          dists.set("ORG_ID", inv.org_id);
        }
      }
    }
  }

  void render_checks(TableRows& t) const {
    for (size_t ci : check_order_) {
      const Check& c = checks_[ci];
      const Site& site = sites_[c.site];
      const Supplier& s = suppliers_[site.supplier];
      t.add();
      t.set("CHECK_ID", c.id);
      t.set("CHECK_NUMBER", c.number);
      t.set("VENDOR_ID", s.id);
      t.set("VENDOR_SITE_ID", site.id);
      t.set("VENDOR_NAME", s.name);
      t.set("ORG_ID", c.org_id);
      t.set("AMOUNT", money(c.amount));
      t.set("CURRENCY_CODE", c.currency);
      t.set("CHECK_DATE", iso(c.date));
      t.set("PAYMENT_METHOD_CODE", c.method);
      t.set("PAYMENT_TYPE_FLAG", c.payment_type);
      t.set("CHECKRUN_NAME", text_or_null(c.checkrun));
      t.set("STATUS_LOOKUP_CODE", c.status);
      t.set("CLEARED_DATE", day_or_null(c.cleared));
      t.set("VOID_DATE", day_or_null(c.voided));
      t.set("BANK_ACCOUNT_NAME", std::string(unit_by_id(c.org_id).bank_account));
      t.set("BANK_ACCOUNT_NUM", c.method == "CHECK" ? Cell() : Cell(site.bank_account));
    }
  }

  void render_invoice_payments(TableRows& t) const {
    for (size_t i : ip_order_) {
      const InvoicePayment& ip = ips_[i];
      t.add();
      t.set("INVOICE_PAYMENT_ID", ip.id);
      t.set("INVOICE_ID", invoices_[ip.invoice].id);
      t.set("PAYMENT_NUM", int64_t{1});
      t.set("CHECK_ID", checks_[ip.check].id);
      t.set("AMOUNT", money(ip.amount));
      t.set("ACCOUNTING_DATE", iso(ip.date));
      t.set("PERIOD_NAME", period_name(ip.date));
      t.set("POSTED_FLAG", flag(ip.date < kPostedBefore));
      t.set("REVERSAL_FLAG", flag(ip.reversal_flag));
      t.set("REVERSAL_INV_PMT_ID", ip.reverses ? Cell(ips_[*ip.reverses].id) : Cell());
      t.set("ORG_ID", checks_[ip.check].org_id);
    }
  }

 public:
  const std::set<std::string>& missing_accounts() const { return missing_accounts_; }

 private:
  Rng rng_;
  std::set<std::string> bases_;
  std::map<std::string, int> prefix_uses_;
  std::vector<Supplier> suppliers_;
  std::vector<Site> sites_;
  std::vector<PurchaseOrder> pos_;
  std::vector<Invoice> invoices_;
  uint64_t invoice_order_ = 0;
  std::vector<Payment> payments_;
  std::vector<Check> checks_;
  std::set<size_t> voided_;
  std::vector<size_t> check_order_;
  std::vector<InvoicePayment> ips_;
  std::vector<size_t> ip_order_;
  std::map<std::string, int64_t> ccid_;
  std::set<std::string> missing_accounts_;
};

// ---------------------------------------------------------------------------
// Writing SQLite.

class SqliteWriter {
 public:
  ~SqliteWriter() {
    if (db_) sqlite3_close(db_);
  }

  Status open(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
      return make_error(ErrorCode::kIoError, "cannot create " + path + ": " + sqlite3_errmsg(db_));
    }
    return Status();
  }

  Status exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : "unknown error";
      sqlite3_free(error);
      return make_error(ErrorCode::kSqlError, message + " in: " + sql.substr(0, 200));
    }
    return Status();
  }

  Status insert(const TableRows& table) {
    const auto& columns = table.def().columns;
    std::string sql = "INSERT INTO " + table.def().name + " VALUES (";
    for (size_t i = 0; i < columns.size(); ++i) sql += i ? ", ?" : "?";
    sql += ")";
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return make_error(ErrorCode::kSqlError, std::string(sqlite3_errmsg(db_)) + " in: " + sql);
    }
    Status status;
    size_t row_number = 0;
    for (const auto& row : table.rows()) {
      ++row_number;
      for (size_t i = 0; i < row.size(); ++i) {
        const int at = static_cast<int>(i) + 1;
        const Cell& cell = row[i];
        if (std::holds_alternative<int64_t>(cell)) {
          sqlite3_bind_int64(stmt, at, std::get<int64_t>(cell));
        } else if (std::holds_alternative<double>(cell)) {
          sqlite3_bind_double(stmt, at, std::get<double>(cell));
        } else if (std::holds_alternative<std::string>(cell)) {
          const auto& s = std::get<std::string>(cell);
          sqlite3_bind_text(stmt, at, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
        } else {
          sqlite3_bind_null(stmt, at);
        }
      }
      if (sqlite3_step(stmt) != SQLITE_DONE) {
        status = make_error(ErrorCode::kInternal,
                            table.def().name + " row " + std::to_string(row_number) + ": " + sqlite3_errmsg(db_));
        break;
      }
      sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    return status;
  }

  Status close() {
    const int rc = sqlite3_close(db_);
    db_ = nullptr;
    if (rc != SQLITE_OK) return make_error(ErrorCode::kIoError, "closing the demo database failed");
    return Status();
  }

 private:
  sqlite3* db_ = nullptr;
};

Status write_database(const std::string& path, const std::vector<TableRows>& tables) {
  SqliteWriter writer;
  AG_RETURN_IF_ERROR(writer.open(path));
  AG_RETURN_IF_ERROR(writer.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON;"));
  AG_RETURN_IF_ERROR(writer.exec("PRAGMA user_version=" + std::to_string(kUserVersion)));
  AG_RETURN_IF_ERROR(writer.exec("BEGIN"));
  for (const auto& table : tables) AG_RETURN_IF_ERROR(writer.exec(create_table_sql(table.def())));
  for (const auto& table : tables) AG_RETURN_IF_ERROR(writer.insert(table));
  AG_RETURN_IF_ERROR(writer.exec("COMMIT"));
  return writer.close();
}

}  // namespace

std::string ebs_demo_db_path(const std::string& dir) {
  return (std::filesystem::path(dir) / kEbsDemoDbId / (std::string(kEbsDemoDbId) + ".sqlite")).string();
}

std::vector<std::string> ebs_demo_tables() {
  std::vector<std::string> names;
  for (const auto& t : ebs_schema()) names.push_back(t.name);
  return names;
}

Status build_ebs_demo(const std::string& dir, DemoSummary* summary) {
  namespace fs = std::filesystem;
  if (dir.empty()) return make_error(ErrorCode::kInvalidArgument, "build_ebs_demo: empty output directory");
  const fs::path db_dir = fs::path(dir) / kEbsDemoDbId;
  const fs::path desc_dir = db_dir / "database_description";
  std::error_code ec;
  fs::create_directories(desc_dir, ec);
  if (ec) return make_error(ErrorCode::kIoError, "cannot create " + desc_dir.string() + ": " + ec.message());

  Generator generator;
  generator.run();
  const std::vector<TableRows> tables = generator.render();
  for (const auto& t : tables) {
    if (!t.unknown().empty()) {
      return make_error(ErrorCode::kInternal,
                        "demo generator sets unknown column " + *t.unknown().begin() + " of " + t.def().name);
    }
  }
  if (!generator.missing_accounts().empty()) {
    return make_error(ErrorCode::kInternal,
                      "demo generator uses undefined account " + *generator.missing_accounts().begin());
  }

  const std::string path = ebs_demo_db_path(dir);
  const std::string tmp = path + ".tmp";
  fs::remove(tmp, ec);
  Status written = write_database(tmp, tables);
  if (!written.ok()) {
    fs::remove(tmp, ec);
    return written.with_context("writing " + tmp);
  }
  fs::rename(tmp, path, ec);
  if (ec) return make_error(ErrorCode::kIoError, "cannot rename " + tmp + " to " + path + ": " + ec.message());

  for (const auto& t : tables) {
    AG_RETURN_IF_ERROR(files::write_file((desc_dir / (t.def().name + ".csv")).string(), description_csv(t.def())));
  }

  if (summary) {
    summary->db_path = path;
    summary->descriptions_dir = desc_dir.string();
    summary->row_counts.clear();
    summary->total_rows = 0;
    for (const auto& t : tables) {
      const auto n = static_cast<int64_t>(t.rows().size());
      summary->row_counts.emplace_back(t.def().name, n);
      summary->total_rows += n;
    }
  }
  return Status();
}

}  // namespace askguru::demo
