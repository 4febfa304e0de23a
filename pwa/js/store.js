// The phone's own storage (IndexedDB): the outbox of unsent writes, and private answers kept
// for offline reading while someone is signed in. Nothing here outlives signing out.
const NAME = "rapport";
const STORES = ["outbox", "private"];
let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, 1);
    request.onupgradeneeded = () => {
      for (const store of STORES) request.result.createObjectStore(store);
    };
    request.onsuccess = () => {
      const db = request.result;
      // Clear-Site-Data or another tab may delete the database: open afresh next time.
      db.onclose = db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    request.onerror = () => { opening = null; reject(request.error); };
  });
  return opening;
}

// One retry on a fresh connection: Clear-Site-Data (at sign-out) closes the open one.
async function run(store, mode, action, retry = true) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(store, mode);
      const request = action(transaction.objectStore(store));
      transaction.oncomplete = () => resolve(request?.result);
      transaction.onerror = transaction.onabort = () => reject(transaction.error);
    });
  } catch (error) {
    if (!retry) throw error;
    opening = null;
    return run(store, mode, action, false);
  }
}

export const getItem = (store, key) => run(store, "readonly", (s) => s.get(key));
export const putItem = (store, key, value) => run(store, "readwrite", (s) => s.put(value, key));
export const deleteItem = (store, key) => run(store, "readwrite", (s) => s.delete(key));
export const allItems = (store) => run(store, "readonly", (s) => s.getAll());
export const clearStore = (store) => run(store, "readwrite", (s) => s.clear());
