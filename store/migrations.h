// SPDX-License-Identifier: Apache-2.0
// Schema migrations of the result store, oldest first.
#pragma once

#include <span>

namespace inferbench {

// The ordered list of migrations. Entry i is one SQL script (several statements) that brings
// a database from schema version i to i + 1; the version is SQLite's `PRAGMA user_version`,
// 0 for a new file. Entries are never edited once released: a schema change is a new entry
// appended at the end. ResultStore::open applies the missing ones in one transaction.
std::span<const char* const> schema_migrations();

// The schema version this code writes: the number of migrations.
int latest_schema_version();

}  // namespace inferbench
