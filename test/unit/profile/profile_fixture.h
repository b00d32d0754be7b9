// Test support for profile/: a small database with known statistics, written with
// the sqlite3 API.
#pragma once

#include <string>

#include "unit/db/sqlite_fixture.h"

namespace askguru::testing {

// people: 10 rows with every kind of column the profiler tells apart.
//   id INTEGER 1..10; name TEXT (one NULL, 'Ann' twice); birth TEXT YYYY-MM-DD;
//   score REAL; zip TEXT digits; code TEXT 'AB-12'-like; email TEXT; active 0/1;
//   secret TEXT 'TOPSECRET-<n>' (tests deny it); team_id INTEGER -> team.id (not declared)
// team: 3 rows (id 1..3, name). club: 4 rows, person_id REFERENCES people(id) (declared).
inline void write_profile_database(const std::string& path) {
  write_database(path, R"sql(
CREATE TABLE team (id INTEGER PRIMARY KEY, name TEXT);
INSERT INTO team VALUES (1, 'Red'), (2, 'Blue'), (3, 'Green'), (4, 'Gold');
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, birth TEXT, score REAL, zip TEXT, code TEXT,
                     email TEXT, active INTEGER, secret TEXT, team_id INTEGER);
INSERT INTO people VALUES
 (1, 'Ann',   '1990-01-15', 1.5,  '02134', 'AB-12', 'ann@example.com',   1, 'TOPSECRET-1', 1),
 (2, 'Bob',   '1985-12-01', 2.5,  '02139', 'CD-34', 'bob@example.com',   0, 'TOPSECRET-2', 2),
 (3, 'Ann',   '2001-07-04', 3.0,  '10001', 'EF-56', 'ann2@example.com',  1, 'TOPSECRET-3', 3),
 (4, 'Chloé', '1979-03-30', 4.25, '94105', 'GH-78', 'chloe@example.com', 1, 'TOPSECRET-4', 1),
 (5, NULL,    '1999-11-11', 5.0,  '60601', 'IJ-90', 'x@example.org',     0, 'TOPSECRET-5', 2),
 (6, 'Dan',   '1995-05-05', 6.0,  '73301', 'KL-11', 'dan@example.com',   1, 'TOPSECRET-6', 3),
 (7, 'Eve',   '1988-08-08', 7.0,  '30301', 'MN-22', 'eve@example.com',   1, 'TOPSECRET-7', 1),
 (8, 'Fay',   '1970-02-02', 8.0,  '98101', 'OP-33', 'fay@example.com',   0, 'TOPSECRET-8', 2),
 (9, 'Gus',   '2005-10-10', 9.0,  '02108', 'QR-44', 'gus@example.com',   1, 'TOPSECRET-9', 3),
 (10,'Hal',   '1960-06-06', 10.0, '20001', 'ST-55', 'hal@example.com',   1, 'TOPSECRET-10', 1);
CREATE TABLE club (club_id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES people(id), role TEXT);
INSERT INTO club VALUES (1, 1, 'chair'), (2, 2, 'member'), (3, 3, 'member'), (4, 4, 'member');
)sql");
}

}  // namespace askguru::testing
