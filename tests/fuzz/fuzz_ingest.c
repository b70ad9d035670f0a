/* fuzz_ingest.c: libFuzzer target for the mail path: each input is one
 * message handed to core_ingest (GMime parsing, charsets, HTML, MIME
 * walking, threading, attachments, the store), and its bytes also go
 * straight through the HTML-to-text and charset converters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "core.h"
#include "mail.h"
#include "fuzz_desk.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_dir_make("fuzz_ingest");
	struct derr e = {0};
	/* no support address: nothing is ever sent */
	if (config_load_string("", "fuzz.yaml", &fuzz_cfg, &e) != DESK_OK)
		abort();
	fuzz_desk_open();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_desk_next(5000);
	struct ingest_result r;
	struct derr e = {0};
	bool fault;
	int rc = core_ingest(&fuzz_d, (const char *)data, size, NULL, &r, &fault, &e);
	/* The only failures a well-formed run may have: the message's own. */
	if (rc != DESK_OK && !fault) {
		fprintf(stderr, "fuzz_ingest: a system error on a message: %s\n", e.msg);
		abort();
	}
	if (rc == DESK_OK && r.outcome != INGEST_DUPLICATE && r.ticket_id <= 0)
		abort();
	char *t = mail_html_to_text((const char *)data, size);
	free(t);
	char *u = mail_to_utf8((const char *)data, size, size > 0 && data[0] & 1 ? "iso-2022-jp"
									      : NULL);
	free(u);
	return 0;
}
