//! The DynamoDB [`Store`]: one table per municipality (`<prefix>-<municipality_code>`) plus
//! `<prefix>-platform` for the platform directory.

mod shape;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, DeleteRequest,
    KeySchemaElement, KeyType, KeysAndAttributes, Put, PutRequest, ScalarAttributeType,
    TableStatus, TimeToLiveSpecification, TimeToLiveStatus, TransactWriteItem, WriteRequest,
};
use sesshu_store::{
    BatchWrite, Condition, Item, Key, Page, Query, Store, StoreError, Write, now_epoch_s,
    validate_batch, validate_writes,
};

use crate::backoff::{Attempt, Backoff, ErrorClass, classify};
use shape::{Cancellation, Expr};

/// The table name suffix of the platform directory.
pub const PLATFORM_TABLE: &str = "platform";

/// Most puts one BatchWriteItem request may carry.
const BATCH_WRITE_LIMIT: usize = 25;

/// Most keys one BatchGetItem request may carry.
const BATCH_GET_LIMIT: usize = 100;

/// Hands out the [`Store`] of each table under one name prefix.
#[derive(Clone)]
pub struct DynamoTables {
    client: Client,
    prefix: String,
    backoff: Backoff,
}

impl DynamoTables {
    /// Tables named `<prefix>-<name>`, where `name` is a municipality code or [`PLATFORM_TABLE`].
    pub fn new(client: Client, prefix: impl Into<String>) -> Self {
        Self {
            client,
            prefix: prefix.into(),
            backoff: Backoff::default(),
        }
    }

    /// Replaces the retry schedule of every store handed out afterwards.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The DynamoDB table name for `name`.
    pub fn table_name(&self, name: &str) -> String {
        format!("{}-{}", self.prefix, name)
    }

    /// The concrete store of `name`, for callers that need [`DynamoStore::batch_put`].
    pub fn store(&self, name: &str) -> DynamoStore {
        DynamoStore::new(self.client.clone(), self.table_name(name)).with_backoff(self.backoff)
    }

    /// The store of `name` as the port.
    pub fn table(&self, name: &str) -> Arc<dyn Store> {
        Arc::new(self.store(name))
    }

    /// Creates the table of `name` (pk S HASH, sk S RANGE, on demand) with TTL on `_ttl`,
    /// unless it exists. For tests and local tooling: production tables come from IaC.
    pub async fn ensure_table(&self, name: &str) -> Result<(), StoreError> {
        let table = self.table_name(name);
        let created = self
            .client
            .create_table()
            .table_name(&table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute(shape::PK)?)
            .attribute_definitions(attribute(shape::SK)?)
            .key_schema(key_element(shape::PK, KeyType::Hash)?)
            .key_schema(key_element(shape::SK, KeyType::Range)?)
            .send()
            .await;
        match created {
            Ok(_) => {}
            Err(err) if err.code() == Some("ResourceInUseException") => {}
            Err(err) => return Err(backend("CreateTable", &err)),
        }
        self.wait_until_active(&table).await?;
        let ttl = self
            .client
            .describe_time_to_live()
            .table_name(&table)
            .send()
            .await
            .map_err(|err| backend("DescribeTimeToLive", &err))?;
        let enabled = ttl.time_to_live_description().is_some_and(|d| {
            d.attribute_name() == Some(shape::TTL)
                && matches!(
                    d.time_to_live_status(),
                    Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
                )
        });
        if !enabled {
            let spec = TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(shape::TTL)
                .build()
                .map_err(|e| StoreError::Backend(format!("building TTL spec: {e}")))?;
            self.client
                .update_time_to_live()
                .table_name(&table)
                .time_to_live_specification(spec)
                .send()
                .await
                .map_err(|err| backend("UpdateTimeToLive", &err))?;
        }
        Ok(())
    }

    async fn wait_until_active(&self, table: &str) -> Result<(), StoreError> {
        // A new table takes seconds to a minute to become usable in AWS; moto is immediate.
        for _ in 0..120 {
            let described = self
                .client
                .describe_table()
                .table_name(table)
                .send()
                .await
                .map_err(|err| backend("DescribeTable", &err))?;
            if described.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Err(StoreError::Backend(format!(
            "table {table} did not become active within 60 s; check it in the DynamoDB console"
        )))
    }
}

fn attribute(name: &str) -> Result<AttributeDefinition, StoreError> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(|e| StoreError::Backend(format!("building attribute definition: {e}")))
}

fn key_element(name: &str, key_type: KeyType) -> Result<KeySchemaElement, StoreError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .map_err(|e| StoreError::Backend(format!("building key schema: {e}")))
}

/// A backend error naming the operation and the service's error code and message (DynamoDB's
/// messages name attributes, never their values).
fn backend<E>(operation: &str, err: &SdkError<E, HttpResponse>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    StoreError::Backend(format!("{operation}: {}", DisplayErrorContext(err)))
}

/// Sorts a failed call into retry-or-not by its error code.
fn attempt<E>(operation: &str, err: SdkError<E, HttpResponse>) -> Attempt<StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err.code().map(classify) {
        Some(ErrorClass::Throttled) => Attempt::Retry(
            ErrorClass::Throttled,
            StoreError::Backend(format!(
                "{operation}: throttled after all retries; the table needs more capacity or the load must slow down"
            )),
        ),
        Some(ErrorClass::Conflict) => Attempt::Retry(ErrorClass::Conflict, StoreError::Conflict),
        Some(ErrorClass::ConditionFailed) => {
            Attempt::Fail(StoreError::ConditionFailed { index: 0 })
        }
        Some(ErrorClass::Other) | None => Attempt::Fail(backend(operation, &err)),
    }
}

fn build_error(err: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("building request: {err}"))
}

/// A [`Store`] over one DynamoDB table.
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    backoff: Backoff,
}

impl DynamoStore {
    /// The store of the existing table `table` (full name).
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            backoff: Backoff::default(),
        }
    }

    /// Replaces the retry schedule.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The DynamoDB table name.
    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// Writes `items` unconditionally; see [`Store::write_batch`].
    pub async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        self.write_batch(items.into_iter().map(BatchWrite::Put).collect())
            .await
    }

    /// Sends one chunk (at most 25 writes) as BatchWriteItem, retrying unprocessed items with
    /// backoff until the throttle budget is spent.
    async fn write_chunk(&self, chunk: &[BatchWrite]) -> Result<(), StoreError> {
        let mut pending = chunk
            .iter()
            .map(|write| match write {
                BatchWrite::Put(item) => PutRequest::builder()
                    .set_item(Some(shape::to_attrs(item)))
                    .build()
                    .map(|put| WriteRequest::builder().put_request(put).build())
                    .map_err(build_error),
                BatchWrite::Delete(key) => DeleteRequest::builder()
                    .set_key(Some(shape::key_attrs(key)))
                    .build()
                    .map(|delete| WriteRequest::builder().delete_request(delete).build())
                    .map_err(build_error),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut round = 0u32;
        while !pending.is_empty() {
            let requests = &HashMap::from([(self.table.clone(), pending)]);
            let out = self
                .backoff
                .retry(move || async move {
                    self.client
                        .batch_write_item()
                        .set_request_items(Some(requests.clone()))
                        .send()
                        .await
                        .map_err(|err| attempt("BatchWriteItem", err))
                })
                .await?;
            pending = out
                .unprocessed_items
                .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                .unwrap_or_default();
            if pending.is_empty() {
                break;
            }
            if round >= self.backoff.max_throttle_retries {
                return Err(StoreError::Backend(format!(
                    "BatchWriteItem: {} items still unprocessed after {round} retries; the table needs more capacity or the load must slow down",
                    pending.len()
                )));
            }
            let delay = self.backoff.delay(round, &mut rand::thread_rng());
            tokio::time::sleep(delay).await;
            round += 1;
        }
        Ok(())
    }

    /// Reads up to 100 keys with BatchGetItem (strongly consistent), retrying unprocessed keys.
    async fn get_chunk(&self, keys: &[Key]) -> Result<HashMap<Key, Item>, StoreError> {
        let mut pending: Vec<HashMap<String, AttributeValue>> =
            keys.iter().map(shape::key_attrs).collect();
        let mut found = HashMap::with_capacity(keys.len());
        let mut round = 0u32;
        while !pending.is_empty() {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(pending))
                .consistent_read(true)
                .build()
                .map_err(build_error)?;
            let requests = &HashMap::from([(self.table.clone(), request)]);
            let out = self
                .backoff
                .retry(move || async move {
                    self.client
                        .batch_get_item()
                        .set_request_items(Some(requests.clone()))
                        .send()
                        .await
                        .map_err(|err| attempt("BatchGetItem", err))
                })
                .await?;
            for attrs in out
                .responses
                .and_then(|mut responses| responses.remove(&self.table))
                .unwrap_or_default()
            {
                let item = shape::from_attrs(attrs)?;
                found.insert(item.key.clone(), item);
            }
            pending = out
                .unprocessed_keys
                .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                .map(|rest| rest.keys)
                .unwrap_or_default();
            if pending.is_empty() {
                break;
            }
            if round >= self.backoff.max_throttle_retries {
                return Err(StoreError::Backend(format!(
                    "BatchGetItem: {} keys still unprocessed after {round} retries; the table needs more capacity or the load must slow down",
                    pending.len()
                )));
            }
            let delay = self.backoff.delay(round, &mut rand::thread_rng());
            tokio::time::sleep(delay).await;
            round += 1;
        }
        Ok(found)
    }

    async fn put_one(&self, item: &Item, condition: Condition) -> Result<(), StoreError> {
        let attrs = &shape::to_attrs(item);
        self.backoff
            .retry(move || async move {
                let expr = shape::condition_expr(condition, now_epoch_s());
                self.client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(attrs.clone()))
                    .set_condition_expression(expr.as_ref().map(|e| e.expression.clone()))
                    .set_expression_attribute_names(expr.as_ref().and_then(Expr::names))
                    .set_expression_attribute_values(expr.as_ref().and_then(Expr::values))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|err| attempt("PutItem", err))
            })
            .await
    }

    async fn delete_one(&self, key: &Key, condition: Condition) -> Result<(), StoreError> {
        self.backoff
            .retry(move || async move {
                let expr = shape::condition_expr(condition, now_epoch_s());
                self.client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(shape::key_attrs(key)))
                    .set_condition_expression(expr.as_ref().map(|e| e.expression.clone()))
                    .set_expression_attribute_names(expr.as_ref().and_then(Expr::names))
                    .set_expression_attribute_values(expr.as_ref().and_then(Expr::values))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|err| attempt("DeleteItem", err))
            })
            .await
    }

    /// The TransactWriteItems entries for `writes`, and for each entry the index of the write
    /// it came from (unconditional checks are left out: they can never fail).
    fn transact_items(
        &self,
        writes: &[Write],
        now: u64,
    ) -> Result<(Vec<TransactWriteItem>, Vec<usize>), StoreError> {
        let mut items = Vec::with_capacity(writes.len());
        let mut origin = Vec::with_capacity(writes.len());
        for (index, write) in writes.iter().enumerate() {
            let entry = match write {
                Write::Put { item, condition } => {
                    let expr = shape::condition_expr(*condition, now);
                    let put = Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(shape::to_attrs(item)))
                        .set_condition_expression(expr.as_ref().map(|e| e.expression.clone()))
                        .set_expression_attribute_names(expr.as_ref().and_then(Expr::names))
                        .set_expression_attribute_values(expr.as_ref().and_then(Expr::values))
                        .build()
                        .map_err(build_error)?;
                    TransactWriteItem::builder().put(put).build()
                }
                Write::Delete { key, condition } => {
                    let expr = shape::condition_expr(*condition, now);
                    let delete = Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(shape::key_attrs(key)))
                        .set_condition_expression(expr.as_ref().map(|e| e.expression.clone()))
                        .set_expression_attribute_names(expr.as_ref().and_then(Expr::names))
                        .set_expression_attribute_values(expr.as_ref().and_then(Expr::values))
                        .build()
                        .map_err(build_error)?;
                    TransactWriteItem::builder().delete(delete).build()
                }
                Write::Check { key, condition } => {
                    let Some(expr) = shape::condition_expr(*condition, now) else {
                        continue;
                    };
                    let check = ConditionCheck::builder()
                        .table_name(&self.table)
                        .set_key(Some(shape::key_attrs(key)))
                        .condition_expression(expr.expression.clone())
                        .set_expression_attribute_names(expr.names())
                        .set_expression_attribute_values(expr.values())
                        .build()
                        .map_err(build_error)?;
                    TransactWriteItem::builder().condition_check(check).build()
                }
            };
            items.push(entry);
            origin.push(index);
        }
        Ok((items, origin))
    }

    async fn transact_many(&self, writes: &[Write]) -> Result<(), StoreError> {
        self.backoff
            .retry(move || async move {
                let (items, origin) = self
                    .transact_items(writes, now_epoch_s())
                    .map_err(Attempt::Fail)?;
                if items.is_empty() {
                    return Ok(());
                }
                match self
                    .client
                    .transact_write_items()
                    .set_transact_items(Some(items))
                    .send()
                    .await
                {
                    Ok(_) => Ok(()),
                    Err(err) => Err(transact_attempt(err, &origin)),
                }
            })
            .await
    }
}

/// Maps a failed TransactWriteItems to the port's errors, naming the write (by its index in
/// the caller's list) whose condition failed first.
fn transact_attempt(
    err: SdkError<TransactWriteItemsError, HttpResponse>,
    origin: &[usize],
) -> Attempt<StoreError> {
    let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        err.as_service_error()
    else {
        return attempt("TransactWriteItems", err);
    };
    let codes: Vec<String> = if cancelled.cancellation_reasons().is_empty() {
        shape::reasons_from_message(cancelled.message().unwrap_or_default())
    } else {
        cancelled
            .cancellation_reasons()
            .iter()
            .map(|r| r.code().unwrap_or("None").to_owned())
            .collect()
    };
    match shape::classify_cancellation(codes.iter().map(String::as_str)) {
        Cancellation::ConditionFailed(entry) => Attempt::Fail(StoreError::ConditionFailed {
            index: origin.get(entry).copied().unwrap_or(entry),
        }),
        Cancellation::Conflict => Attempt::Retry(ErrorClass::Conflict, StoreError::Conflict),
        Cancellation::Throttled => Attempt::Retry(
            ErrorClass::Throttled,
            StoreError::Backend(
                "TransactWriteItems: throttled after all retries; the table needs more capacity or the load must slow down".into(),
            ),
        ),
        Cancellation::Other => Attempt::Fail(StoreError::Backend(format!(
            "TransactWriteItems cancelled: {}",
            codes.join(", ")
        ))),
    }
}

#[async_trait]
impl Store for DynamoStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        key.validate()?;
        let out = self
            .backoff
            .retry(move || async move {
                self.client
                    .get_item()
                    .table_name(&self.table)
                    .set_key(Some(shape::key_attrs(key)))
                    .consistent_read(true)
                    .send()
                    .await
                    .map_err(|err| attempt("GetItem", err))
            })
            .await?;
        let Some(attrs) = out.item else {
            return Ok(None);
        };
        let item = shape::from_attrs(attrs)?;
        Ok((!item.is_expired(now_epoch_s())).then_some(item))
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        validate_writes(&writes)?;
        for write in &writes {
            if let Write::Put { item, .. } = write {
                item.validate()?;
            }
        }
        // Single writes take the cheaper item API (half the write capacity of a transaction).
        match writes.as_slice() {
            [Write::Put { item, condition }] => self.put_one(item, *condition).await,
            [Write::Delete { key, condition }] => self.delete_one(key, *condition).await,
            _ => self.transact_many(&writes).await,
        }
    }

    async fn write_batch(&self, writes: Vec<BatchWrite>) -> Result<(), StoreError> {
        validate_batch(&writes)?;
        for chunk in writes.chunks(BATCH_WRITE_LIMIT) {
            self.write_chunk(chunk).await?;
        }
        Ok(())
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Option<Item>>, StoreError> {
        for key in keys {
            key.validate()?;
        }
        // BatchGetItem refuses a key named twice; read each once and answer every position.
        let distinct: Vec<Key> = keys
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .cloned()
            .collect();
        let mut found = HashMap::with_capacity(distinct.len());
        for chunk in distinct.chunks(BATCH_GET_LIMIT) {
            found.extend(self.get_chunk(chunk).await?);
        }
        let now = now_epoch_s();
        Ok(keys
            .iter()
            .map(|key| found.get(key).filter(|item| !item.is_expired(now)).cloned())
            .collect())
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        query.validate()?;
        let mut next_start = query
            .cursor
            .as_deref()
            .map(shape::decode_cursor)
            .transpose()?
            .map(|sk| {
                let after = Key::new(query.pk.clone(), sk);
                after.validate().map(|()| shape::key_attrs(&after))
            })
            .transpose()?;
        let now = now_epoch_s();
        let Some((key_condition, filter, expr)) = shape::query_exprs(query, now) else {
            return Err(StoreError::Invalid(
                "a between range needs from <= to, swap the bounds".into(),
            ));
        };
        let (key_condition, filter, expr) = (&key_condition, &filter, &expr);
        let mut page = Page::default();
        // DynamoDB applies Limit before the filter that hides expired items, so one request
        // may return fewer live items than asked for although more follow: keep reading.
        loop {
            let remaining = query.limit - page.items.len();
            let start = &next_start;
            let out = self
                .backoff
                .retry(move || async move {
                    self.client
                        .query()
                        .table_name(&self.table)
                        .consistent_read(true)
                        .key_condition_expression(key_condition)
                        .filter_expression(filter)
                        .set_expression_attribute_names(expr.names())
                        .set_expression_attribute_values(expr.values())
                        .scan_index_forward(query.ascending)
                        .limit(i32::try_from(remaining).unwrap_or(i32::MAX))
                        .set_exclusive_start_key(start.clone())
                        .send()
                        .await
                        .map_err(|err| attempt("Query", err))
                })
                .await?;
            for attrs in out.items.unwrap_or_default() {
                let item = shape::from_attrs(attrs)?;
                if !item.is_expired(now) && page.items.len() < query.limit {
                    page.items.push(item);
                }
            }
            let Some(last) = out.last_evaluated_key else {
                return Ok(page);
            };
            if page.items.len() >= query.limit {
                page.next = page
                    .items
                    .last()
                    .map(|item| shape::encode_cursor(&item.key.sk));
                return Ok(page);
            }
            next_start = Some(last);
        }
    }

    async fn sweep_expired(&self, _now_epoch_s: u64) -> Result<usize, StoreError> {
        // DynamoDB's TTL deletes expired items itself (within days) at no write cost; reads
        // already hide them. Sweeping here would need a full-table scan.
        Ok(0)
    }
}
