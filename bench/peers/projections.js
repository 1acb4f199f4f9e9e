// The read models Kiroku keeps, written as a JS developer would without Kiroku:
// one reducer over recorded events (CONTRACT §1 shapes), in three styles:
// - `project`: mutable Maps, the fastest plain JS (the Dexie peer's cold load);
// - `reduxReducer`: immutable updates with spread, as Redux's style guide asks
//   (Redux DevTools keeps every state it returns);
// - `evolve`: the write-model state of one stream (Emmett's aggregateStream).

const aggregateId = (event) => event.stream_id.slice(event.stream_type.length + 1);
const day = (event) => event.metadata.recorded_at.slice(0, 10);

// ---------------------------------------------------------------- mutable

export function emptyProjections() {
  return {
    orderSummary: new Map(), // order id → {customer_name, status, total_cents, item_count, updated_at}
    orderDetails: new Map(), // order id → Map product → {quantity, unit_price_cents}
    customerOrders: new Map(), // customer → {orders: [order id], order_count, spent_cents}
    accountBalances: new Map(), // account id → {owner, balance, updated_at}
    accountHistory: new Map(), // account id → [{position, kind, amount, balance_after}]
    inventory: new Map(), // sku → {on_hand, reserved, available, low_stock_threshold, low_stock, reservations: Map}
    movements: [],
    lowStockAlerts: [],
    productCatalog: new Map(), // product id → {name, price, category_id}
    productSales: new Map(), // product name → {units_ordered, order_count, revenue_cents}
    dailyStats: new Map(), // date → counters
    userActivity: new Map(), // actor → [{position, event_type, stream_id}]
  };
}

function dayRow(p, event) {
  const date = day(event);
  let row = p.dailyStats.get(date);
  if (!row) {
    row = { date, orders_created: 0, orders_confirmed: 0, orders_shipped: 0, orders_cancelled: 0, revenue_cents: 0, deposits_cents: 0, withdrawals_cents: 0, events: 0 };
    p.dailyStats.set(date, row);
  }
  return row;
}

export function applyEvent(p, event) {
  const id = aggregateId(event);
  const data = event.data;
  const stats = dayRow(p, event);
  stats.events += 1;
  const actor = event.metadata.actor;
  let activity = p.userActivity.get(actor);
  if (!activity) p.userActivity.set(actor, (activity = []));
  activity.push({ position: event.position, event_type: event.event_type, stream_id: event.stream_id });

  switch (event.event_type) {
    case "OrderCreated": {
      p.orderSummary.set(id, { customer_name: data.customer_name, status: "draft", total_cents: 0, item_count: 0, updated_at: event.metadata.recorded_at });
      p.orderDetails.set(id, new Map());
      let customer = p.customerOrders.get(data.customer_name);
      if (!customer) p.customerOrders.set(data.customer_name, (customer = { orders: [], order_count: 0, spent_cents: 0 }));
      customer.orders.push(id);
      customer.order_count += 1;
      stats.orders_created += 1;
      break;
    }
    case "ItemAdded":
    case "ItemRemoved": {
      const sign = event.event_type === "ItemAdded" ? 1 : -1;
      const amount = sign * data.quantity * data.unit_price_cents;
      const order = p.orderSummary.get(id);
      if (order) {
        order.total_cents += amount;
        order.item_count += sign * data.quantity;
        order.updated_at = event.metadata.recorded_at;
        p.customerOrders.get(order.customer_name).spent_cents += amount;
      }
      const lines = p.orderDetails.get(id);
      if (lines && sign > 0) {
        const line = lines.get(data.product_name);
        if (line) line.quantity += data.quantity;
        else lines.set(data.product_name, { quantity: data.quantity, unit_price_cents: data.unit_price_cents });
      } else if (lines) lines.delete(data.product_name);
      let sales = p.productSales.get(data.product_name);
      if (!sales) p.productSales.set(data.product_name, (sales = { units_ordered: 0, order_count: 0, revenue_cents: 0 }));
      sales.units_ordered += sign * data.quantity;
      if (sign > 0) sales.order_count += 1;
      break;
    }
    case "OrderConfirmed":
    case "OrderReadyToShip":
    case "OrderShipped":
    case "OrderCancelled": {
      const status = { OrderConfirmed: "confirmed", OrderReadyToShip: "ready_to_ship", OrderShipped: "shipped", OrderCancelled: "cancelled" }[event.event_type];
      const order = p.orderSummary.get(id);
      if (order) {
        order.status = status;
        order.updated_at = event.metadata.recorded_at;
        if (status === "confirmed") {
          stats.revenue_cents += order.total_cents;
          for (const [name, line] of p.orderDetails.get(id)) p.productSales.get(name).revenue_cents += line.quantity * line.unit_price_cents;
        }
      }
      if (status === "confirmed") stats.orders_confirmed += 1;
      if (status === "shipped") stats.orders_shipped += 1;
      if (status === "cancelled") stats.orders_cancelled += 1;
      break;
    }
    case "AccountCreated":
      p.accountBalances.set(id, { owner: data.owner, balance: data.initial_balance, updated_at: event.metadata.recorded_at });
      p.accountHistory.set(id, []);
      break;
    case "MoneyDeposited":
    case "MoneyWithdrawn": {
      const account = p.accountBalances.get(id);
      if (account) {
        account.balance = data.balance_after;
        account.updated_at = event.metadata.recorded_at;
      }
      const kind = event.event_type === "MoneyDeposited" ? "deposit" : "withdrawal";
      p.accountHistory.get(id)?.push({ position: event.position, kind, amount: data.amount, balance_after: data.balance_after });
      if (kind === "deposit") stats.deposits_cents += data.amount;
      else stats.withdrawals_cents += data.amount;
      break;
    }
    case "StockReceived":
    case "StockReserved":
    case "StockReleased": {
      let item = p.inventory.get(id);
      if (!item) {
        item = { on_hand: 0, reserved: 0, available: 0, low_stock_threshold: data.low_stock_threshold ?? 5, low_stock: false, reservations: new Map() };
        p.inventory.set(id, item);
      }
      if (event.event_type === "StockReceived") item.on_hand += data.quantity;
      else if (event.event_type === "StockReserved") {
        item.reserved += data.quantity;
        item.reservations.set(data.order_id, data.quantity);
      } else {
        item.reserved -= data.quantity;
        item.reservations.delete(data.order_id);
      }
      item.available = item.on_hand - item.reserved;
      const low = item.available <= item.low_stock_threshold;
      if (low && !item.low_stock) p.lowStockAlerts.push({ position: event.position, sku: id, available: item.available });
      item.low_stock = low;
      p.movements.push({ position: event.position, sku: id, kind: event.event_type, quantity: data.quantity, order_id: data.order_id });
      break;
    }
    case "ProductCreated":
      p.productCatalog.set(id, { name: data.name, price: data.price, category_id: data.category_id });
      break;
    case "PriceUpdated": {
      const product = p.productCatalog.get(id);
      if (product) product.price = data.new_price;
      break;
    }
    default: // saga streams (transfers, fulfillment) only count in stats and activity
  }
  return p;
}

export function project(events) {
  const p = emptyProjections();
  for (const event of events) applyEvent(p, event);
  return p;
}

/** A few figures of the result, so no engine can skip the work and runs can be compared. */
export function summary(p) {
  let balance = 0;
  for (const account of p.accountBalances.values()) balance += account.balance;
  return { orders: p.orderSummary.size, accounts: p.accountBalances.size, balance, skus: p.inventory.size, days: p.dailyStats.size };
}

// ---------------------------------------------------------------- Redux (immutable)

const EMPTY = {
  orders: {},
  customers: {},
  accounts: {},
  accountHistory: {},
  inventory: {},
  movements: [],
  products: {},
  productSales: {},
  dailyStats: {},
  userActivity: {},
};

function reduxDay(state, event) {
  const date = day(event);
  return state.dailyStats[date] ?? { orders_created: 0, orders_confirmed: 0, orders_shipped: 0, orders_cancelled: 0, revenue_cents: 0, deposits_cents: 0, withdrawals_cents: 0, events: 0 };
}

/** Actions are `{type: "event", event}`; anything else (Redux's own init) leaves the state. */
export function reduxReducer(state = EMPTY, action) {
  if (action.type !== "event") return state;
  const event = action.event;
  const id = aggregateId(event);
  const data = event.data;
  const at = event.metadata.recorded_at;
  const actor = event.metadata.actor;
  let stats = { ...reduxDay(state, event) };
  stats.events += 1;
  let next = {
    ...state,
    userActivity: { ...state.userActivity, [actor]: [...(state.userActivity[actor] ?? []), { position: event.position, event_type: event.event_type, stream_id: event.stream_id }] },
  };
  switch (event.event_type) {
    case "OrderCreated": {
      const customer = state.customers[data.customer_name] ?? { orders: [], order_count: 0, spent_cents: 0 };
      next.orders = { ...state.orders, [id]: { customer_name: data.customer_name, status: "draft", total_cents: 0, item_count: 0, lines: {}, updated_at: at } };
      next.customers = { ...state.customers, [data.customer_name]: { ...customer, orders: [...customer.orders, id], order_count: customer.order_count + 1 } };
      stats.orders_created += 1;
      break;
    }
    case "ItemAdded":
    case "ItemRemoved": {
      const sign = event.event_type === "ItemAdded" ? 1 : -1;
      const amount = sign * data.quantity * data.unit_price_cents;
      const order = state.orders[id];
      if (order) {
        const lines = { ...order.lines };
        if (sign > 0) lines[data.product_name] = { quantity: (lines[data.product_name]?.quantity ?? 0) + data.quantity, unit_price_cents: data.unit_price_cents };
        else delete lines[data.product_name];
        next.orders = { ...state.orders, [id]: { ...order, total_cents: order.total_cents + amount, item_count: order.item_count + sign * data.quantity, lines, updated_at: at } };
        const customer = state.customers[order.customer_name];
        next.customers = { ...state.customers, [order.customer_name]: { ...customer, spent_cents: customer.spent_cents + amount } };
      }
      const sales = state.productSales[data.product_name] ?? { units_ordered: 0, order_count: 0, revenue_cents: 0 };
      next.productSales = {
        ...state.productSales,
        [data.product_name]: { ...sales, units_ordered: sales.units_ordered + sign * data.quantity, order_count: sales.order_count + (sign > 0 ? 1 : 0) },
      };
      break;
    }
    case "OrderConfirmed":
    case "OrderReadyToShip":
    case "OrderShipped":
    case "OrderCancelled": {
      const status = { OrderConfirmed: "confirmed", OrderReadyToShip: "ready_to_ship", OrderShipped: "shipped", OrderCancelled: "cancelled" }[event.event_type];
      const order = state.orders[id];
      if (order) {
        next.orders = { ...state.orders, [id]: { ...order, status, updated_at: at } };
        if (status === "confirmed") {
          stats.revenue_cents += order.total_cents;
          const productSales = { ...state.productSales };
          for (const [name, line] of Object.entries(order.lines)) {
            productSales[name] = { ...productSales[name], revenue_cents: productSales[name].revenue_cents + line.quantity * line.unit_price_cents };
          }
          next.productSales = productSales;
        }
      }
      if (status === "confirmed") stats.orders_confirmed += 1;
      if (status === "shipped") stats.orders_shipped += 1;
      if (status === "cancelled") stats.orders_cancelled += 1;
      break;
    }
    case "AccountCreated":
      next.accounts = { ...state.accounts, [id]: { owner: data.owner, balance: data.initial_balance, updated_at: at } };
      next.accountHistory = { ...state.accountHistory, [id]: [] };
      break;
    case "MoneyDeposited":
    case "MoneyWithdrawn": {
      const kind = event.event_type === "MoneyDeposited" ? "deposit" : "withdrawal";
      const account = state.accounts[id];
      if (account) next.accounts = { ...state.accounts, [id]: { ...account, balance: data.balance_after, updated_at: at } };
      next.accountHistory = {
        ...state.accountHistory,
        [id]: [...(state.accountHistory[id] ?? []), { position: event.position, kind, amount: data.amount, balance_after: data.balance_after }],
      };
      if (kind === "deposit") stats.deposits_cents += data.amount;
      else stats.withdrawals_cents += data.amount;
      break;
    }
    case "StockReceived":
    case "StockReserved":
    case "StockReleased": {
      const item = state.inventory[id] ?? { on_hand: 0, reserved: 0, available: 0, low_stock_threshold: data.low_stock_threshold ?? 5, low_stock: false, reservations: {} };
      let { on_hand, reserved } = item;
      const reservations = { ...item.reservations };
      if (event.event_type === "StockReceived") on_hand += data.quantity;
      else if (event.event_type === "StockReserved") {
        reserved += data.quantity;
        reservations[data.order_id] = data.quantity;
      } else {
        reserved -= data.quantity;
        delete reservations[data.order_id];
      }
      const available = on_hand - reserved;
      next.inventory = { ...state.inventory, [id]: { ...item, on_hand, reserved, available, low_stock: available <= item.low_stock_threshold, reservations } };
      next.movements = [...state.movements, { position: event.position, sku: id, kind: event.event_type, quantity: data.quantity, order_id: data.order_id }];
      break;
    }
    case "ProductCreated":
      next.products = { ...state.products, [id]: { name: data.name, price: data.price, category_id: data.category_id } };
      break;
    case "PriceUpdated":
      if (state.products[id]) next.products = { ...state.products, [id]: { ...state.products[id], price: data.new_price } };
      break;
    default:
  }
  next.dailyStats = { ...state.dailyStats, [day(event)]: stats };
  return next;
}

// ---------------------------------------------------------------- write models (Emmett)

/** The state of one stream after an event, keyed by stream type (Emmett's `evolve`). */
export function evolve(state, event) {
  const data = event.data;
  switch (event.type) {
    case "OrderCreated":
      return { kind: "order", customer_name: data.customer_name, status: "draft", lines: [] };
    case "ItemAdded":
      return { ...state, lines: [...state.lines, { product_name: data.product_name, quantity: data.quantity, unit_price_cents: data.unit_price_cents }] };
    case "ItemRemoved":
      return { ...state, lines: state.lines.filter((line) => line.product_name !== data.product_name) };
    case "OrderConfirmed":
      return { ...state, status: "confirmed" };
    case "OrderReadyToShip":
      return { ...state, status: "ready_to_ship" };
    case "OrderShipped":
      return { ...state, status: "shipped" };
    case "OrderCancelled":
      return { ...state, status: "cancelled" };
    case "AccountCreated":
      return { kind: "account", owner: data.owner, balance: data.initial_balance };
    case "MoneyDeposited":
    case "MoneyWithdrawn":
      return { ...state, balance: data.balance_after };
    case "StockReceived":
      return { kind: "inventory", sku: data.sku, on_hand: (state?.on_hand ?? 0) + data.quantity, reserved: state?.reserved ?? 0, reservations: state?.reservations ?? {} };
    case "StockReserved":
      return { ...state, reserved: state.reserved + data.quantity, reservations: { ...state.reservations, [data.order_id]: data.quantity } };
    case "StockReleased": {
      const { [data.order_id]: _released, ...reservations } = state.reservations;
      return { ...state, reserved: state.reserved - data.quantity, reservations };
    }
    case "ProductCreated":
      return { kind: "product", name: data.name, price: data.price, category_id: data.category_id };
    case "PriceUpdated":
      return { ...state, price: data.new_price };
    default: // transfers and fulfillments: the last step is their state
      return { ...state, last_step: event.type };
  }
}
