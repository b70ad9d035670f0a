/* test_attach.c: attachments read back (numbered list, pick, bytes from
 * the database and from attachments_dir), saved without overwriting,
 * names fit for a command line, the attachments limits (config, --attach
 * files, ingest), files sent with a reply (multipart, base64, parsed
 * back), and export/import keeping every byte. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "core.h"
#include "mail.h"
#include "testlib.h"
#include "util.h"

/* Two files, "a.txt" (3 bytes) and "b.bin" (the bytes 00 01 FF). */
static const char two_files[] = "From: ann@example.com\n"
				"Subject: files\n"
				"Message-ID: <two@x>\n"
				"Content-Type: multipart/mixed; boundary=B\n"
				"\n"
				"--B\n"
				"Content-Type: text/plain\n"
				"\n"
				"two files\n"
				"--B\n"
				"Content-Type: text/plain\n"
				"Content-Disposition: attachment; filename=\"a.txt\"\n"
				"\n"
				"abc\n"
				"--B\n"
				"Content-Type: application/octet-stream\n"
				"Content-Disposition: attachment; filename=\"b.bin\"\n"
				"Content-Transfer-Encoding: base64\n"
				"\n"
				"AAH/\n"
				"--B--\n";

static void expect_bytes(struct mail_fx *f, const struct attachment *a, const void *want, size_t n)
{
	unsigned char *data;
	size_t len;
	struct derr e = {0};
	ck_assert_msg(core_attachment_read(&f->d, a, &data, &len, &e) == DESK_OK, "%s", e.msg);
	ck_assert_uint_eq(len, n);
	ck_assert(memcmp(data, want, n) == 0);
	free(data);
}

static char *write_temp(struct mail_fx *f, const char *name, const void *data, size_t n)
{
	char *path = xasprintf("%s/%s", f->dir, name);
	FILE *o = fopen(path, "wb");
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(fwrite(data, 1, n, o), n);
	fclose(o);
	return path;
}

START_TEST(list_pick_and_read)
{
	struct mail_fx f;
	mail_fx_open(&f, NULL, false);
	struct ingest_result r = mail_fx_ingest(&f, two_files);
	struct attachment_list l = {0};
	struct derr e = {0};
	ck_assert_int_eq(core_attachments(&f.d, r.ticket_id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.v[0].filename, "a.txt");
	ck_assert_str_eq(l.v[1].filename, "b.bin");
	ck_assert_int_eq(l.v[1].size, 3);
	const struct attachment *a;
	/* several: the number is needed */
	ck_assert_int_eq(core_attachment_pick(&l, r.ticket_id, 0, &a, &e), DESK_EUSAGE);
	ck_assert_ptr_nonnull(strstr(e.msg, "has 2 attachments"));
	ck_assert_int_eq(core_attachment_pick(&l, r.ticket_id, 3, &a, &e), DESK_ENOTFOUND);
	ck_assert_int_eq(core_attachment_pick(&l, r.ticket_id, 2, &a, &e), DESK_OK);
	ck_assert_ptr_eq(a, &l.v[1]);
	expect_bytes(&f, a, "\x00\x01\xff", 3);
	expect_bytes(&f, &l.v[0], "abc", 3);
	attachment_list_free(&l);
	/* no such ticket */
	ck_assert_int_eq(core_attachments(&f.d, 999, &l, &e), DESK_ENOTFOUND);
	attachment_list_free(&l);
	mail_fx_close(&f);
}
END_TEST

START_TEST(read_from_attachments_dir)
{
	struct mail_fx f;
	mail_fx_open(&f, "mail:\n  attachments_dir: files\n", false);
	struct ingest_result r = mail_fx_ingest(&f, two_files);
	struct attachment_list l = {0};
	struct derr e = {0};
	ck_assert_int_eq(core_attachments(&f.d, r.ticket_id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_ptr_nonnull(l.v[1].path);
	expect_bytes(&f, &l.v[1], "\x00\x01\xff", 3);
	/* a file changed outside desk is refused, not passed on */
	FILE *o = fopen(l.v[1].path, "ab");
	ck_assert_ptr_nonnull(o);
	fputs("more", o);
	fclose(o);
	unsigned char *data;
	size_t len;
	ck_assert_int_eq(core_attachment_read(&f.d, &l.v[1], &data, &len, &e), DESK_EIO);
	ck_assert_ptr_nonnull(strstr(e.msg, "changed outside desk"));
	ck_assert_ptr_null(data);
	attachment_list_free(&l);
	mail_fx_close(&f);
}
END_TEST

START_TEST(write_file_never_overwrites)
{
	struct mail_fx f;
	mail_fx_open(&f, NULL, false);
	char *path = xasprintf("%s/out.bin", f.dir);
	struct derr e = {0};
	ck_assert_int_eq(attachment_write_file(path, "\x00\x01", 2, false, &e), DESK_OK);
	size_t len;
	char *back = read_file(path, &len);
	ck_assert_uint_eq(len, 2);
	ck_assert(memcmp(back, "\x00\x01", 2) == 0);
	free(back);
	ck_assert_int_eq(attachment_write_file(path, "xyz", 3, false, &e), DESK_ECONFLICT);
	ck_assert_ptr_nonnull(strstr(e.msg, "already exists"));
	back = read_file(path, &len);
	ck_assert_uint_eq(len, 2);
	free(back);
	ck_assert_int_eq(attachment_write_file(path, "xyz", 3, true, &e), DESK_OK);
	back = read_file(path, &len);
	ck_assert_uint_eq(len, 3);
	free(back);
	/* nothing left beside it */
	char *cmd = xasprintf("ls -a '%s' | grep -q desk-save", f.dir);
	ck_assert_int_ne(system(cmd), 0);
	free(cmd);
	free(path);
	mail_fx_close(&f);
}
END_TEST

START_TEST(command_names_are_plain)
{
	static const char *const cases[][2] = {
		{"invoice.pdf", "attachment.pdf"},
		{"x.tar.gz", "attachment.gz"},
		{"$(reboot).sh;x", "attachment"},
		{"a.p$f", "attachment"},
		{"-rf", "attachment"},
		{"noext", "attachment"},
		{"photo.JPG", "attachment.JPG"},
		{"ends.", "attachment"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *n = attachment_command_name(cases[i][0]);
		ck_assert_msg(strcmp(n, cases[i][1]) == 0, "%s -> %s, not %s", cases[i][0], n,
			      cases[i][1]);
		free(n);
	}
}
END_TEST

START_TEST(safe_names)
{
	static const char *const cases[][2] = {
		{"../../etc/passwd", "passwd"},
		{"invoice\xe2\x80\xae" "fdp.exe", "invoice_fdp.exe"}, /* U+202E */
		{"a\xe2\x80\x8b.pdf", "a_.pdf"},                   /* U+200B */
		{"tab\there", "tab_here"},
		{"..hidden", "hidden"},
		{"caf\xc3\xa9.txt", "caf\xc3\xa9.txt"},            /* kept */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *n = mail_safe_filename(cases[i][0], "application/pdf", 1);
		ck_assert_msg(strcmp(n, cases[i][1]) == 0, "case %zu: %s, not %s", i, n,
			      cases[i][1]);
		free(n);
	}
	char *n = mail_safe_filename("", "text/plain", 3);
	ck_assert_str_eq(n, "attachment-3.txt");
	free(n);
}
END_TEST

START_TEST(config_sizes)
{
	struct config c;
	struct derr e = {0};
	ck_assert_int_eq(config_load_string("", "t.yaml", &c, &e), DESK_OK);
	ck_assert_int_eq(c.attachments.max_size, 10 << 20);
	ck_assert_int_eq(c.attachments.max_total, 25 << 20);
	config_free(&c);
	ck_assert_int_eq(config_load_string("attachments:\n  max_size: 512KB\n  max_total: 1GB\n",
					    "t.yaml", &c, &e),
			 DESK_OK);
	ck_assert_int_eq(c.attachments.max_size, 512 << 10);
	ck_assert_int_eq(c.attachments.max_total, 1 << 30);
	config_free(&c);
	ck_assert_int_eq(config_load_string("attachments:\n  max_size: 4096\n", "t.yaml", &c, &e),
			 DESK_OK);
	ck_assert_int_eq(c.attachments.max_size, 4096);
	config_free(&c);
	ck_assert_int_eq(config_load_string("attachments:\n  max_size: lots\n", "t.yaml", &c, &e),
			 DESK_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "t.yaml:2:13: expected a size like 10MB"));
	config_free(&c);
	ck_assert_int_eq(config_load_string("attachments:\n  max_size: 0\n", "t.yaml", &c, &e),
			 DESK_EINVAL);
	config_free(&c);
	ck_assert_int_eq(config_load_string("attachments:\n  max_size: 30MB\n", "t.yaml", &c, &e),
			 DESK_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "is more than max_total"));
	config_free(&c);
	ck_assert_int_eq(config_load_string("attachments:\n  max_sise: 1MB\n", "t.yaml", &c, &e),
			 DESK_EINVAL);
	config_free(&c);
}
END_TEST

START_TEST(outgoing_limits)
{
	struct mail_fx f;
	mail_fx_open(&f, "attachments:\n  max_size: 10\n  max_total: 15\n", false);
	char *small = write_temp(&f, "small.txt", "12345678", 8);
	char *big = write_temp(&f, "big.txt", "12345678901", 11);
	struct outgoing_file o;
	struct derr e = {0};
	ck_assert_int_eq(outgoing_file_load(&f.cfg, small, 0, &o, &e), DESK_OK);
	ck_assert_str_eq(o.filename, "small.txt");
	ck_assert_str_eq(o.content_type, "text/plain");
	ck_assert_uint_eq(o.size, 8);
	struct outgoing_file *one = xmalloc(sizeof *one);
	*one = o;
	outgoing_files_free(&one, 1);
	ck_assert_ptr_null(one);
	ck_assert_int_eq(outgoing_file_load(&f.cfg, big, 0, &o, &e), DESK_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "big.txt: 11 bytes, more than attachments.max_size "
					    "(10 bytes)"));
	ck_assert_int_eq(outgoing_file_load(&f.cfg, small, 8, &o, &e), DESK_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "with the files before it, 16 bytes, more than "
					    "attachments.max_total (15 bytes)"));
	ck_assert_int_eq(outgoing_file_load(&f.cfg, f.dir, 0, &o, &e), DESK_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a regular file"));
	/* core checks again, whoever read the files */
	struct outgoing_file two[2] = {
		{.filename = "a", .content_type = "text/plain", .data = (unsigned char *)"12345678",
		 .size = 8},
		{.filename = "b", .content_type = "text/plain", .data = (unsigned char *)"12345678",
		 .size = 8},
	};
	int64_t row = 0, id = 0;
	struct new_ticket nt;
	new_ticket_init(&nt);
	nt.subject = "s";
	nt.body = "x";
	nt.customer_email = "ann@example.com";
	ck_assert_msg(core_ticket_new(&f.d, &nt, &id, &e) == DESK_OK, "%s", e.msg);
	ck_assert_int_eq(core_post_with(&f.d, id, MSG_REPLY, "hi",
					&(struct post_extras){.files = two, .nfiles = 2}, NULL, 0,
					&row, &e),
			 DESK_EINVAL);
	ck_assert_ptr_nonnull(strstr(e.msg, "more than attachments.max_total"));
	free(small);
	free(big);
	mail_fx_close(&f);
}
END_TEST

/* The body and the dropped-attachment events of the mail ingested
 * with limits (yaml), and how many files were kept. */
static size_t ingest_limited(const char *yaml, char **body, int *dropped)
{
	struct mail_fx f;
	mail_fx_open(&f, yaml, false);
	struct ingest_result r = mail_fx_ingest(&f, two_files);
	struct attachment_list l = {0};
	struct derr e = {0};
	ck_assert_int_eq(core_attachments(&f.d, r.ticket_id, &l, &e), DESK_OK);
	size_t kept = l.n;
	attachment_list_free(&l);
	struct message m;
	ck_assert_int_eq(store_mail_message_get(f.d.st, r.msg_row, &m, &e), DESK_OK);
	*body = xstrdup(m.body);
	message_free(&m);
	struct event_list ev = {0};
	ck_assert_int_eq(store_events(f.d.st, r.ticket_id, &ev, &e), DESK_OK);
	*dropped = 0;
	for (size_t i = 0; i < ev.n; i++)
		*dropped += ev.v[i].field && strcmp(ev.v[i].field, "attachment_dropped") == 0;
	event_list_free(&ev);
	mail_fx_close(&f);
	return kept;
}

START_TEST(ingest_over_limit_keeps_the_mail)
{
	char *body;
	int dropped;
	/* each file (3 bytes) over max_size */
	ck_assert_uint_eq(ingest_limited("attachments:\n  max_size: 2\n", &body, &dropped), 0);
	ck_assert_str_eq(body, "two files\n\n"
			       "[attachment not kept: a.txt (text/plain, 3 bytes): more than "
			       "attachments.max_size (2 bytes)]\n"
			       "[attachment not kept: b.bin (application/octet-stream, 3 bytes): "
			       "more than attachments.max_size (2 bytes)]");
	ck_assert_int_eq(dropped, 2);
	free(body);
	/* the first fits, the second would pass max_total */
	ck_assert_uint_eq(ingest_limited("attachments:\n  max_size: 3\n  max_total: 5\n", &body,
					 &dropped),
			  1);
	ck_assert_str_eq(body, "two files\n\n"
			       "[attachment not kept: b.bin (application/octet-stream, 3 bytes): "
			       "the mail's attachments pass attachments.max_total (5 bytes)]");
	ck_assert_int_eq(dropped, 1);
	free(body);
	/* within the limits: nothing said */
	ck_assert_uint_eq(ingest_limited("", &body, &dropped), 2);
	ck_assert_str_eq(body, "two files");
	ck_assert_int_eq(dropped, 0);
	free(body);
}
END_TEST

START_TEST(reply_carries_files)
{
	struct mail_fx f;
	mail_fx_open(&f, mail_fx_yaml, false);
	struct ingest_result r = mail_fx_ingest(&f, two_files);
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	struct outgoing_file files[1] = {
		{.filename = "bytes.bin", .content_type = "application/octet-stream", .data = all,
		 .size = sizeof all},
	};
	int64_t row = 0;
	struct derr e = {0};
	ck_assert_msg(core_post_with(&f.d, r.ticket_id, MSG_REPLY, "Here.",
				     &(struct post_extras){.files = files, .nfiles = 1}, NULL, 0,
				     &row, &e) == DESK_OK,
		      "%s", e.msg);
	char *text;
	size_t len;
	ck_assert_msg(outbound_render(&f.d, row, &text, &len, &e) == DESK_OK, "%s", e.msg);
	ck_assert_ptr_nonnull(strstr(text, "Content-Type: multipart/mixed"));
	ck_assert_ptr_nonnull(strstr(text, "Content-Transfer-Encoding: base64"));
	ck_assert_ptr_nonnull(strstr(text, "filename=bytes.bin"));
	/* read back as a mail client would: the same bytes */
	struct mail_in m;
	ck_assert_msg(mail_parse(text, len, NULL, &m, &e) == DESK_OK, "%s", e.msg);
	ck_assert_str_eq(m.body, "Here.");
	ck_assert_uint_eq(m.nparts, 1);
	ck_assert_str_eq(m.parts[0].filename, "bytes.bin");
	ck_assert_uint_eq(m.parts[0].size, sizeof all);
	ck_assert(memcmp(m.parts[0].data, all, sizeof all) == 0);
	mail_in_free(&m);
	free(text);
	/* stored with the reply, numbered after the customer's two */
	struct attachment_list l = {0};
	ck_assert_int_eq(core_attachments(&f.d, r.ticket_id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_int_eq(l.v[2].message_id, row);
	expect_bytes(&f, &l.v[2], all, sizeof all);
	attachment_list_free(&l);
	/* held for undo send and taken back: the draft is text only, and
	 * the result says how many files did not come back with it */
	f.d.reply_hold_seconds = 10;
	int64_t held = 0;
	ck_assert_msg(core_post_with(&f.d, r.ticket_id, MSG_REPLY, "Again.",
				     &(struct post_extras){.files = files, .nfiles = 1}, NULL, 0,
				     &held, &e) == DESK_OK,
		      "%s", e.msg);
	struct unsend_result u;
	ck_assert_msg(core_unsend(&f.d, held, 0, NULL, &u, &e) == DESK_OK, "%s", e.msg);
	ck_assert_uint_eq(u.files, 1);
	undo_result_free(&u.fields);
	ck_assert_int_eq(core_attachments(&f.d, r.ticket_id, &l, &e), DESK_OK);
	ck_assert_uint_eq(l.n, 3);
	attachment_list_free(&l);
	mail_fx_close(&f);
}
END_TEST

START_TEST(export_import_round_trip)
{
	struct mail_fx f, g;
	mail_fx_open(&f, "mail:\n  attachments_dir: files\n", false);
	mail_fx_open(&g, NULL, false);
	struct ingest_result r = mail_fx_ingest(&f, two_files);
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)(255 - i);
	struct outgoing_file files[1] = {
		{.filename = "all.bin", .content_type = "application/octet-stream", .data = all,
		 .size = sizeof all},
	};
	struct derr e = {0};
	ck_assert_int_eq(core_post_with(&f.d, r.ticket_id, MSG_NOTE, "internal",
					&(struct post_extras){.files = files, .nfiles = 1}, NULL, 0,
					NULL, &e),
			 DESK_OK);
	char *path = xasprintf("%s/export.jsonl", f.dir);
	FILE *out = fopen(path, "w+");
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(core_export(&f.d, out, &e) == DESK_OK, "%s", e.msg);
	rewind(out);
	struct import_opts o = {.name = "export.jsonl"};
	struct import_result res = {0};
	ck_assert_msg(core_import(&g.d, out, &o, &res, stderr, &e) == DESK_OK, "%s", e.msg);
	fclose(out);
	ck_assert_int_eq(res.created, 1);
	struct attachment_list a = {0}, b = {0};
	ck_assert_int_eq(core_attachments(&f.d, r.ticket_id, &a, &e), DESK_OK);
	ck_assert_int_eq(core_attachments(&g.d, 1, &b, &e), DESK_OK);
	ck_assert_uint_eq(a.n, 3);
	ck_assert_uint_eq(b.n, 3);
	for (size_t i = 0; i < a.n; i++) {
		unsigned char *da, *db;
		size_t la, lb;
		ck_assert_int_eq(core_attachment_read(&f.d, &a.v[i], &da, &la, &e), DESK_OK);
		ck_assert_int_eq(core_attachment_read(&g.d, &b.v[i], &db, &lb, &e), DESK_OK);
		ck_assert_str_eq(a.v[i].filename, b.v[i].filename);
		ck_assert_str_eq(a.v[i].content_type, b.v[i].content_type);
		ck_assert_uint_eq(la, lb);
		ck_assert(memcmp(da, db, la) == 0);
		ck_assert_ptr_null(b.v[i].path); /* imported into the database */
		free(da);
		free(db);
	}
	attachment_list_free(&a);
	attachment_list_free(&b);
	free(path);
	mail_fx_close(&g);
	mail_fx_close(&f);
}
END_TEST

/* A reply's files are part of its message: undo takes back what the
 * reply changed, as for a reply without files. */
START_TEST(undo_after_reply_with_files)
{
	struct mail_fx f;
	mail_fx_open(&f, NULL, false);
	struct ingest_result r = mail_fx_ingest(&f, two_files);
	struct outgoing_file files[1] = {
		{.filename = "x.txt", .content_type = "text/plain", .data = (unsigned char *)"x",
		 .size = 1},
	};
	struct field_change ch = {FIELD_STATUS, "pending"};
	struct derr e = {0};
	ck_assert_msg(core_post_with(&f.d, r.ticket_id, MSG_REPLY, "Sent.",
				     &(struct post_extras){.files = files, .nfiles = 1}, &ch, 1,
				     NULL, &e) == DESK_OK,
		      "%s", e.msg);
	struct ticket t;
	ck_assert_int_eq(store_ticket_get(f.d.st, r.ticket_id, &t, &e), DESK_OK);
	ck_assert_int_eq(t.status, ST_PENDING);
	ticket_free(&t);
	struct undo_result u = {0};
	ck_assert_msg(core_undo(&f.d, &u, &e) == DESK_OK, "%s", e.msg);
	undo_result_free(&u);
	ck_assert_int_eq(store_ticket_get(f.d.st, r.ticket_id, &t, &e), DESK_OK);
	ck_assert_int_ne(t.status, ST_PENDING);
	ticket_free(&t);
	mail_fx_close(&f);
}
END_TEST

/* An attachment kept in attachments_dir whose file is gone: the export
 * says which, rather than leaving the file out. */
START_TEST(export_names_a_missing_file)
{
	struct mail_fx f;
	mail_fx_open(&f, "mail:\n  attachments_dir: files\n", false);
	struct ingest_result r = mail_fx_ingest(&f, two_files);
	struct attachment_list l = {0};
	struct derr e = {0};
	ck_assert_int_eq(core_attachments(&f.d, r.ticket_id, &l, &e), DESK_OK);
	ck_assert_int_eq(unlink(l.v[0].path), 0);
	FILE *out = tmpfile();
	ck_assert_ptr_nonnull(out);
	ck_assert_int_ne(core_export(&f.d, out, &e), DESK_OK);
	ck_assert_msg(strstr(e.msg, l.v[0].path) != NULL, "%s", e.msg);
	fclose(out);
	attachment_list_free(&l);
	mail_fx_close(&f);
}
END_TEST

Suite *suite_attach(void)
{
	Suite *s = suite_create("attach");
	TCase *tc = tcase_create("attach");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, list_pick_and_read);
	tcase_add_test(tc, read_from_attachments_dir);
	tcase_add_test(tc, write_file_never_overwrites);
	tcase_add_test(tc, command_names_are_plain);
	tcase_add_test(tc, safe_names);
	tcase_add_test(tc, config_sizes);
	tcase_add_test(tc, outgoing_limits);
	tcase_add_test(tc, ingest_over_limit_keeps_the_mail);
	tcase_add_test(tc, reply_carries_files);
	tcase_add_test(tc, export_import_round_trip);
	tcase_add_test(tc, undo_after_reply_with_files);
	tcase_add_test(tc, export_names_a_missing_file);
	suite_add_tcase(s, tc);
	return s;
}
