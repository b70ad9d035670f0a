/* id_set.h: a list of ids bound as one parameter, so that a statement
 * stays the same whatever the list's length: the text of a JSON array
 * ("[3,7,12]"), read back as a subquery of its ids, SQLite's json_each
 * or PostgreSQL's jsonb_array_elements_text (the same bound text on
 * both).  p is the parameter, "?2". */
#ifndef DESK_STORE_ID_SET_H
#define DESK_STORE_ID_SET_H

#define ID_SET_SQLITE(p) "(SELECT value FROM json_each(" p "))"
#define ID_SET_PG(p) \
	"(SELECT CAST(value AS bigint) FROM jsonb_array_elements_text(CAST(" p " AS jsonb)))"

#endif
