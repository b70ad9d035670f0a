/* print_schema.c: writes pg_schema_sql to standard output, so the
 * schema check (schema_check.sh) applies the one copy of the DDL that
 * desk itself runs. */
#include <stdio.h>

#include "pg_schema.h"

int main(void)
{
	return fputs(pg_schema_sql, stdout) == EOF || fflush(stdout) ? 1 : 0;
}
