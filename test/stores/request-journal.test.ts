import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { openRequestJournal, readJournal, type JournalEntry } from "../../src/stores/sqlite/request-journal.js";

const directory = mkdtempSync(join(tmpdir(), "switchyard-request-journal-"));
after(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const dbPath = () => join(directory, `store-${files++}.db`);

const entry = (index: number): JournalEntry => ({ settlement: { keyId: `k${index}`, periodStart: 0, reservedUsd: 0.5, actualUsd: 0.25, inputTokens: 3, outputTokens: 5 } });

/** A `writeSync` that counts its calls (and can be told to fail). */
function countingWrite() {
  const counter = {
    calls: 0,
    failNext: false,
    write: (fd: number, buffer: Uint8Array, offset: number, length: number): number => {
      counter.calls++;
      if (counter.failNext) {
        counter.failNext = false;
        // Half a group reaches the file before the disk fills up.
        writeSync(fd, buffer, offset, Math.floor(length / 2));
        throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
      }
      return writeSync(fd, buffer, offset, length);
    },
  };
  return counter;
}

describe("request journal: group commit", () => {
  test("the entries of one event-loop turn leave in one write, at the turn's end, and their promise settles after it", async () => {
    const counter = countingWrite();
    const journal = openRequestJournal(dbPath(), { writeSync: counter.write });
    try {
      const written = Array.from({ length: 50 }, (_, index) => journal.append(entry(index)));
      assert.equal(counter.calls, 0, "nothing is written while the turn runs");
      assert.equal(readFileSync(journal.path).length, 0);
      assert.equal(new Set(written).size, 1, "one group, one promise");
      await written[0];
      assert.equal(counter.calls, 1, "50 entries, one write(2)");
      const lines = readJournal(journal.path, 0);
      assert.equal(lines.length, 50);
      assert.equal(lines.at(-1)?.end, journal.position(), "the position counts bytes as the file holds them");
      assert.equal(lines[7]?.entry.settlement?.keyId, "k7");
      // A later turn is a new group.
      await journal.append(entry(50));
      assert.equal(counter.calls, 2);
      assert.equal(readJournal(journal.path, 0).length, 51);
    } finally {
      journal.close();
    }
  });

  test("a group is written at once when maxBatchBytes are waiting, and flush() writes what waits", async () => {
    const counter = countingWrite();
    const journal = openRequestJournal(dbPath(), { writeSync: counter.write, maxBatchBytes: 1_000 });
    try {
      let index = 0;
      while (counter.calls === 0 && index < 100) journal.append(entry(index++));
      assert.equal(counter.calls, 1, "written before the turn ended");
      assert.ok(index < 20, `about 1,000 bytes of ~130-byte lines, not ${index}`);
      journal.append(entry(index++));
      journal.flush();
      assert.equal(counter.calls, 2);
      assert.equal(readJournal(journal.path, 0).length, index);
    } finally {
      journal.close();
    }
  });

  test("a failed group write is reported, settles its promise, and leaves no half line before the next group", async () => {
    const counter = countingWrite();
    const errors: Error[] = [];
    const journal = openRequestJournal(dbPath(), { writeSync: counter.write, onWriteError: (error) => errors.push(error) });
    try {
      await journal.append(entry(1));
      counter.failNext = true;
      await Promise.all([journal.append(entry(2)), journal.append(entry(3))]);
      assert.equal(errors.length, 1);
      assert.match(errors[0]?.message ?? "", /ENOSPC/);
      await journal.append(entry(4));
      const lines = readJournal(journal.path, 0);
      assert.deepEqual(lines.map((line) => line.entry.settlement?.keyId), ["k1", "k4"], "the failed group is cut off whole");
      assert.equal(lines.at(-1)?.end, journal.position());
    } finally {
      journal.close();
    }
  });

  test("the journal is not truncated while lines wait for their write; close() writes them", () => {
    const path = dbPath();
    const journal = openRequestJournal(path);
    journal.append(entry(1));
    assert.equal(journal.truncateIfApplied(journal.position()), false);
    journal.close();
    assert.equal(readJournal(journal.path, 0).length, 1);
  });
});
