// Test support for index/: a small club database written with the sqlite3 API.
#pragma once

#include <string>

#include "unit/db/sqlite_fixture.h"

namespace askguru::testing {

inline void write_club_database(const std::string& path) {
  write_database(path, R"sql(
CREATE TABLE major (major_id TEXT PRIMARY KEY, major_name TEXT, department TEXT, college TEXT);
CREATE TABLE member (member_id TEXT PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT,
                     position TEXT, link_to_major TEXT REFERENCES major(major_id), zip INTEGER);
CREATE TABLE event (event_id TEXT PRIMARY KEY, event_name TEXT, event_date TEXT, type TEXT, notes TEXT);
INSERT INTO major VALUES ('rec1', 'Business', 'School of Business', 'Harvard University'),
                         ('rec2', 'Physics', 'Department of Physics', 'Stanford University'),
                         ('rec3', 'Law', 'School of Law', 'Yale University');
INSERT INTO member VALUES ('m1', 'Angela', 'Sanders', 'angela@example.com', 'Member', 'rec1', 2138),
                          ('m2', 'Grant', 'Gilmour', 'grant@example.com', 'President', 'rec2', 2139),
                          ('m3', 'Sandra', 'Angelo', 'sandra@example.com', 'Secretary', 'rec3', 6510),
                          ('m4', 'Phillip', 'Cullen', 'phil@example.com', 'Vice President', 'rec1', 2138);
INSERT INTO event VALUES ('e1', 'Women''s Soccer', '2019-10-05', 'Game', 'Bring water'),
                         ('e2', 'Laugh Out Loud', '2019-09-12', 'Social', NULL),
                         ('e3', 'Yearly Kickoff', '2019-09-01', 'Meeting', 'In the gym');
)sql");
}

}  // namespace askguru::testing
