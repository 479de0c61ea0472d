import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { apiKeyOf, loadConfig, parseConfig } from "../../src/gateway/config.js";

const upstream = { name: "replay", baseUrl: "http://127.0.0.1:9000/v1" };
const target = { id: "gpt-4-1106-preview", inputUsdPerMTok: 10, outputUsdPerMTok: 30 };

function configError(value: unknown, source = "switchyard.yaml"): string {
  try {
    parseConfig(value, source);
  } catch (error) {
    assert.ok(error instanceof SwitchyardError);
    assert.equal(error.code, "invalid_config");
    return error.message;
  }
  assert.fail("expected an invalid_config error");
}

describe("parseConfig", () => {
  test("guard.appliesTo defaults to every-request and rejects anything else, naming the field", () => {
    const guard = { outOfDomain: { artifact: "domain.json" } };
    assert.equal(parseConfig({ upstreams: [upstream], targets: [target], guard }, "/etc/s.yaml").guard?.appliesTo, "every-request");
    assert.equal(parseConfig({ upstreams: [upstream], targets: [target], guard: { ...guard, appliesTo: "routed" } }, "/etc/s.yaml").guard?.appliesTo, "routed");
    for (const appliesTo of ["sometimes", 1, null, ["routed"]]) {
      assert.match(configError({ upstreams: [upstream], targets: [target], guard: { ...guard, appliesTo } }), /guard\.appliesTo/);
    }
  });

  test("fills defaults, gives targets the only upstream, resolves the artifact, and freezes", () => {
    const config = parseConfig({ router: { artifact: "models/router.json" }, upstreams: [upstream], targets: [target] }, "/etc/switchyard/switchyard.yaml");
    assert.deepEqual(config.server, {
      host: "127.0.0.1",
      port: 8080,
      maxBodyBytes: 1_048_576,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 60_000,
      imageUrls: { allowedSchemes: ["https", "data"], allowPrivateHosts: false },
    });
    assert.equal(config.router.defaultQuality, 0.5);
    assert.equal(config.router.artifact, "/etc/switchyard/models/router.json");
    assert.equal(config.upstreams[0]?.timeoutMs, 60_000);
    assert.equal(config.targets[0]?.upstream, "replay");
    assert.equal(config.targets[0]?.contextWindow, 128_000);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.targets) && Object.isFrozen(config.targets[0]) && Object.isFrozen(config.server));
    assert.throws(() => {
      (config.server as { port: number }).port = 1;
    }, TypeError);
  });

  test("a mistyped value names the source and the path", () => {
    const message = configError({ upstreams: [upstream], targets: [{ ...target, inputUsdPerMTok: "10" }] });
    assert.equal(message, "switchyard.yaml: targets.0.inputUsdPerMTok: expected number, got string");
  });

  test("a misspelt key is reported as unknown, with the field it probably meant", () => {
    const { inputUsdPerMTok: _dropped, ...rest } = target;
    const message = configError({ upstreams: [upstream], targets: [{ ...rest, inputUsdPerMtok: 10 }] });
    assert.match(message, /^switchyard\.yaml: targets\.0: unknown field "inputUsdPerMtok" \(did you mean "inputUsdPerMTok"\?\)/);
    assert.match(configError({ server: { prot: 1 }, upstreams: [upstream], targets: [target] }), /^switchyard\.yaml: server: unknown field "prot"$/);
    assert.match(configError({ upstreams: [upstream], targets: [target], extra: true }), /^switchyard\.yaml: unknown field "extra"$/);
  });

  test("cross-references: unknown upstream, duplicates, reserved id, ambiguous upstream", () => {
    assert.equal(
      configError({ upstreams: [upstream], targets: [{ ...target, upstream: "openai" }] }),
      'switchyard.yaml: targets.0.upstream: unknown upstream "openai" (configured: replay)',
    );
    assert.match(configError({ upstreams: [upstream], targets: [target, target] }), /targets\.1\.id: duplicate target id/);
    assert.match(configError({ upstreams: [upstream, upstream], targets: [target] }), /upstreams\.1\.name: duplicate upstream name/);
    assert.match(configError({ upstreams: [upstream], targets: [{ ...target, id: "auto" }] }), /targets\.0\.id: "auto" is reserved/);
    assert.match(
      configError({ upstreams: [upstream, { ...upstream, name: "other" }], targets: [target] }),
      /targets\.0\.upstream: required when more than one upstream/,
    );
    assert.match(configError({ upstreams: [{ ...upstream, apiKey: "k", apiKeyEnv: "K" }], targets: [target] }), /upstreams\.0: give either apiKey or apiKeyEnv/);
  });

  test("ranges and shapes: URLs, ports, quality, empty lists", () => {
    assert.match(configError({ upstreams: [{ ...upstream, baseUrl: "ftp://x" }], targets: [target] }), /upstreams\.0\.baseUrl: expected an http/);
    assert.match(configError({ server: { port: 70_000 }, upstreams: [upstream], targets: [target] }), /^switchyard\.yaml: server\.port: /);
    assert.match(configError({ router: { defaultQuality: 1.5 }, upstreams: [upstream], targets: [target] }), /router\.defaultQuality/);
    assert.match(configError({ upstreams: [upstream], targets: [] }), /targets: /);
    assert.match(configError({ targets: [target] }), /upstreams: required/);
    assert.match(configError(null), /upstreams: required/);
  });
});

describe("loadConfig", () => {
  const directories: string[] = [];
  after(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });
  async function write(text: string): Promise<string> {
    const directory = await mkdtemp(join(tmpdir(), "switchyard-config-"));
    directories.push(directory);
    const path = join(directory, "switchyard.yaml");
    await writeFile(path, text);
    return path;
  }

  test("reads YAML and resolves the artifact next to the file", async () => {
    const path = await write(
      [
        "server: { host: 0.0.0.0, port: 8081 }",
        "router: { artifact: ./router.json, defaultQuality: 0.3 }",
        "upstreams:",
        '  - { name: replay, baseUrl: "http://127.0.0.1:9000/v1", apiKeyEnv: REPLAY_API_KEY, timeoutMs: 5000 }',
        "targets:",
        "  - { id: gpt-4-1106-preview, upstream: replay, inputUsdPerMTok: 10, outputUsdPerMTok: 30 }",
      ].join("\n"),
    );
    const config = await loadConfig(path);
    assert.equal(config.server.port, 8081);
    assert.equal(config.router.artifact, join(path, "..", "router.json"));
    assert.equal(config.upstreams[0]?.apiKeyEnv, "REPLAY_API_KEY");
  });

  test("YAML syntax errors and unreadable files are invalid_config naming the file", async () => {
    const bad = await write("upstreams: [\n  - {");
    await assert.rejects(loadConfig(bad), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && error.message.startsWith(bad));
    await assert.rejects(loadConfig("/nonexistent/switchyard.yaml"), /\/nonexistent\/switchyard\.yaml: cannot read the config file \(ENOENT\)/);
    const typo = await write("upstreams:\n  - { name: r, baseUrl: 'http://x/v1' }\ntargets:\n  - { id: a, inputUsdPerMTok: ten, outputUsdPerMTok: 1 }\n");
    await assert.rejects(loadConfig(typo), { message: `${typo}: targets.0.inputUsdPerMTok: expected number, got string` });
  });
});

describe("apiKeyOf", () => {
  test("literal key, then the environment variable; a missing variable names both options", () => {
    assert.equal(apiKeyOf({ ...upstream, apiKey: "literal", timeoutMs: 1 }, 0, {}), "literal");
    assert.equal(apiKeyOf({ ...upstream, apiKeyEnv: "KEY", timeoutMs: 1 }, 0, { KEY: "from-env" }), "from-env");
    assert.equal(apiKeyOf({ ...upstream, timeoutMs: 1 }, 0, {}), undefined);
    assert.throws(() => apiKeyOf({ ...upstream, apiKeyEnv: "MISSING_KEY", timeoutMs: 1 }, 2, {}), {
      message: /upstreams\.2 \("replay"\): the environment variable MISSING_KEY \(apiKeyEnv\) is not set; set it, or give upstreams\.2\.apiKey/,
    });
  });
});
