/* customers.c: the customers table and their addresses. */
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include "internal.h"
#include "util.h"

#define CUSTOMER_COLS "id, name, email, phone, organization, tier, notes, created_at"

static void read_customer(struct stmt *s, struct customer *c)
{
	c->id = col_int(s, 0);
	c->name = col_text(s, 1);
	c->email = col_text(s, 2);
	c->phone = col_text(s, 3);
	c->organization = col_text(s, 4);
	c->tier = col_text(s, 5);
	c->notes = col_text(s, 6);
	c->created_at = col_int(s, 7);
}

static int one_customer(struct store *st, struct stmt *s, struct customer *out,
			const char *what, struct derr *e)
{
	int rc = st_step(s);
	if (rc == ST_ROW)
		read_customer(s, out);
	st_done(s);
	if (rc == ST_ROW)
		return DESK_OK;
	if (rc == ST_DONE)
		return derr_set(e, DESK_ENOTFOUND, "no customer %s", what);
	return st_fail(st, e, "reading a customer");
}

struct stmt *customer_ask(struct store *st, int64_t id, struct derr *e)
{
	struct stmt *s =
		st_prep(st, "SELECT " CUSTOMER_COLS " FROM customers WHERE id = ?1", e);
	if (s)
		bind_int(s, 1, id);
	return s;
}

int customer_take(struct store *st, struct stmt *s, int64_t id, struct customer *out,
		  struct derr *e)
{
	char what[32];
	snprintf(what, sizeof what, "#%lld", (long long)id);
	return one_customer(st, s, out, what, e);
}

int store_customer_get(struct store *st, int64_t id, struct customer *out, struct derr *e)
{
	struct stmt *s = customer_ask(st, id, e);
	return s ? customer_take(st, s, id, out, e) : derr_code(e);
}

int store_customer_by_email(struct store *st, const char *email, struct customer *out,
			    struct derr *e)
{
	/* Any of the customer's addresses (customer_emails holds them all). */
	struct stmt *s = st_prep(st,
				  "SELECT " CUSTOMER_COLS " FROM customers WHERE id ="
				  " (SELECT customer_id FROM customer_emails WHERE email = ?1)",
				  e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, email);
	char what[160];
	snprintf(what, sizeof what, "with email %.140s", email ? email : "");
	return one_customer(st, s, out, what, e);
}

static void bind_customer(struct stmt *s, const struct customer *c)
{
	bind_text(s, 1, c->name ? c->name : "");
	bind_text(s, 2, str_empty(c->email) ? NULL : c->email);
	bind_text(s, 3, c->phone);
	bind_text(s, 4, c->organization);
	bind_text(s, 5, c->tier);
	bind_text(s, 6, c->notes);
}

int store_customer_insert(struct store *st, struct customer *c, struct derr *e)
{
	struct stmt *s = st_prep_insert(st,
				  "INSERT INTO customers (name, email, phone, organization, tier,"
				  " notes, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
				  e);
	if (!s)
		return derr_code(e);
	bind_customer(s, c);
	bind_int(s, 7, c->created_at ? c->created_at : time_now());
	return st_insert(st, s, &c->id, e, "adding a customer");
}

int store_customer_update(struct store *st, const struct customer *c, struct derr *e)
{
	struct stmt *s = st_prep(st,
				  "UPDATE customers SET name = ?1, email = ?2, phone = ?3,"
				  " organization = ?4, tier = ?5, notes = ?6 WHERE id = ?7",
				  e);
	if (!s)
		return derr_code(e);
	bind_customer(s, c);
	bind_int(s, 7, c->id);
	return st_exec_stmt(st, s, e, "updating a customer");
}

int store_customer_search(struct store *st, const char *text, int limit,
			  struct customer_list *out, struct derr *e)
{
	/* A substring of lower() on both sides rather than LIKE, so % and _
	 * typed by a person are plain characters: SQLite's instr(),
	 * PostgreSQL's strpos() (on the address in the "C" collation, since
	 * strpos refuses desk_nocase's). */
#define CUSTOMER_SEARCH(has_name, has_org, has_email)                                   \
	"SELECT " CUSTOMER_COLS " FROM customers c WHERE " has_name " OR " has_org        \
	" OR EXISTS (SELECT 1 FROM customer_emails ce WHERE ce.customer_id = c.id AND "  \
	has_email ") ORDER BY name, id LIMIT ?2"
	struct stmt *s = st_prep2(
		st,
		CUSTOMER_SEARCH("instr(lower(name), lower(?1))",
				"instr(lower(coalesce(organization, '')), lower(?1))",
				"instr(lower(ce.email), lower(?1))"),
		CUSTOMER_SEARCH("strpos(lower(name), lower(?1)) > 0",
				"strpos(lower(coalesce(organization, '')), lower(?1)) > 0",
				"strpos(lower(ce.email) COLLATE \"C\", lower(?1)) > 0"),
		e);
#undef CUSTOMER_SEARCH
	if (!s)
		return derr_code(e);
	bind_text(s, 1, text ? text : "");
	bind_int(s, 2, limit);
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		read_customer(s, &out->v[out->n++]);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "searching customers");
}

int store_customer_count(struct store *st, int64_t *n, struct derr *e)
{
	struct stmt *s = st_prep(st, "SELECT count(*) FROM customers", e);
	if (!s)
		return derr_code(e);
	int rc = st_step(s);
	*n = rc == ST_ROW ? col_int(s, 0) : 0;
	st_done(s);
	return rc == ST_ROW ? DESK_OK : st_fail(st, e, "counting customers");
}

struct stmt *emails_ask(struct store *st, int64_t id, struct derr *e)
{
	/* The main address first, then the others in order.  PostgreSQL:
	 * NOCASE's order is the bytes with A-Z folded (PG_LOWER in
	 * queue.c), not desk_nocase's: ICU orders punctuation its own way,
	 * and its first comparison in a session opens the collator (14-24
	 * ms, on the console's first screen). */
#define EMAILS_OF(order) \
	"SELECT ce.email FROM customer_emails ce JOIN customers c" \
	" ON c.id = ce.customer_id WHERE ce.customer_id = ?1 ORDER BY " order
	struct stmt *s = st_prep2(
		st, EMAILS_OF("ce.email <> coalesce(c.email, ''), ce.email"),
		EMAILS_OF("lower(ce.email COLLATE \"C\") <> lower(coalesce(c.email, '') COLLATE \"C\"),"
			  " lower(ce.email COLLATE \"C\")"),
		e);
#undef EMAILS_OF
	if (s)
		bind_int(s, 1, id);
	return s;
}

int store_customer_emails(struct store *st, int64_t id, struct name_list *out, struct derr *e)
{
	struct stmt *s = emails_ask(st, id, e);
	return s ? emails_take(st, s, out, e) : derr_code(e);
}

int emails_take(struct store *st, struct stmt *s, struct name_list *out, struct derr *e)
{
	int rc;
	while ((rc = st_step(s)) == ST_ROW) {
		xgrow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v);
		out->v[out->n++] = col_text(s, 0);
	}
	st_done(s);
	return rc == ST_DONE ? DESK_OK : st_fail(st, e, "reading a customer's addresses");
}

int store_customer_email_owner(struct store *st, const char *email, int64_t *id, struct derr *e)
{
	*id = 0;
	struct stmt *s =
		st_prep(st, "SELECT customer_id FROM customer_emails WHERE email = ?1", e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, email);
	int rc = st_step(s);
	if (rc == ST_ROW)
		*id = col_int(s, 0);
	st_done(s);
	return rc == ST_ROW || rc == ST_DONE ? DESK_OK
						     : st_fail(st, e, "looking up an address");
}

int store_customer_email_add(struct store *st, int64_t id, const char *email, struct derr *e)
{
	struct stmt *s = st_prep(
		st, "INSERT INTO customer_emails (email, customer_id) VALUES (?1, ?2)", e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, email);
	bind_int(s, 2, id);
	return st_exec_stmt(st, s, e, "adding an address");
}

int store_customer_email_remove(struct store *st, int64_t id, const char *email,
				struct derr *e)
{
	struct stmt *s = st_prep(
		st, "DELETE FROM customer_emails WHERE email = ?1 AND customer_id = ?2", e);
	if (!s)
		return derr_code(e);
	bind_text(s, 1, email);
	bind_int(s, 2, id);
	return st_exec_stmt(st, s, e, "removing an address");
}

int store_customer_move(struct store *st, int64_t from, int64_t into, struct derr *e)
{
	static const char *const sql[] = {
		"UPDATE tickets SET customer_id = ?2 WHERE customer_id = ?1",
		"UPDATE customer_emails SET customer_id = ?2 WHERE customer_id = ?1",
		"DELETE FROM customers WHERE id = ?1",
	};
	for (size_t i = 0; i < ARRAY_LEN(sql); i++) {
		struct stmt *s = st_prep(st, sql[i], e);
		if (!s)
			return derr_code(e);
		bind_int(s, 1, from);
		/* PostgreSQL takes no value for a parameter the statement lacks. */
		if (st_param_count(s) >= 2)
			bind_int(s, 2, into);
		int rc = st_exec_stmt(st, s, e, "merging customers");
		if (rc)
			return rc;
	}
	return DESK_OK;
}
