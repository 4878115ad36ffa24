# moto_server's entry point with three changes, for tests only (see SERIAL_MAIN in moto.rs).
import copy

import moto.dynamodb.models as backend
import moto.dynamodb.models.table as table_model
import moto.server as server
import werkzeug.serving as serving
from moto.dynamodb.models.dynamo_type import DynamoType

# 1. One request at a time: moto's DynamoDB backend takes no lock, so under the threaded server
#    two concurrent conditional writes can both pass their check. DynamoDB is atomic per item
#    and per transaction; serial serving restores that.
run_simple = serving.run_simple
server.run_simple = lambda *a, **k: run_simple(*a, **{**k, "threaded": False})

# 2. A base-table Query reads the one partition asked for, as DynamoDB does. moto 5 sorts and
#    filters the whole table on every Query. Index queries and scans are unchanged.
query = table_model.Table.query


def partition_query(self, hash_key, *a, **k):
    index_name = a[6] if len(a) > 6 else k.get("index_name")
    if index_name or hash_key is None or not self.range_key_attr:
        return query(self, hash_key, *a, **k)
    part = self.items.get(hash_key, {})
    self.all_items = lambda: sorted(part.values(), key=lambda i: i.range_key)
    try:
        return query(self, hash_key, *a, **k)
    finally:
        del self.all_items


table_model.Table.query = partition_query

# 3. A cancelled TransactWriteItems restores the partitions it touched. moto 5 deep-copies the
#    whole table once per item of every transaction to be able to roll back, which costs
#    seconds per transaction once a table holds tens of thousands of items.
transact_write_items = backend.DynamoDBBackend.transact_write_items


def partition_rollback_transact(self, transact_items):
    saved = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table = self.tables.get(op.get("TableName"))
        attrs = op.get("Item") or op.get("Key") or {}
        if table is None or table.hash_key_attr not in attrs:
            continue
        hash_key = DynamoType(attrs[table.hash_key_attr])
        saved.append(
            (table, hash_key, hash_key in table.items, copy.deepcopy(table.items.get(hash_key)))
        )
    deepcopy = copy.deepcopy
    copy.deepcopy = lambda x, memo=None: x if isinstance(x, table_model.Table) else deepcopy(x, memo)
    try:
        return transact_write_items(self, transact_items)
    except Exception:
        for table, hash_key, existed, partition in reversed(saved):
            if existed:
                table.items[hash_key] = partition
            else:
                table.items.pop(hash_key, None)
        raise
    finally:
        copy.deepcopy = deepcopy


backend.DynamoDBBackend.transact_write_items = partition_rollback_transact

server.main()
