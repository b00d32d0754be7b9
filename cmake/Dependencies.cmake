# Every dependency is a Debian package found by CMake or pkg-config (see DESIGN.md).
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CURL REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(ODBC REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
find_package(OpenMP REQUIRED)
find_package(faiss REQUIRED)

add_library(askguru_deps INTERFACE)
target_link_libraries(askguru_deps INTERFACE
  Threads::Threads SQLite::SQLite3 nlohmann_json::nlohmann_json CURL::libcurl yaml-cpp
  CLI11::CLI11 fmt::fmt spdlog::spdlog PostgreSQL::PostgreSQL ODBC::ODBC
  PkgConfig::HTTPLIB PkgConfig::XXHASH PkgConfig::RE2 PkgConfig::UTF8PROC faiss OpenMP::OpenMP_CXX)
# spdlog and fmt are separate Debian packages: use the shared fmt, not spdlog's bundled copy.
target_compile_definitions(askguru_deps INTERFACE SPDLOG_FMT_EXTERNAL)
