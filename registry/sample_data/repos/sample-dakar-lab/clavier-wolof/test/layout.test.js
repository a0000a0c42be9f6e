import { test } from "node:test";
import assert from "node:assert/strict";
import { convertirRaccourcis, dispositions } from "../src/layout.js";

test("les raccourcis donnent les lettres wolof", () => {
  assert.equal(convertirRaccourcis("jere:jef"), "jerëjef");
  assert.equal(convertirRaccourcis("ng~ ou n~"), "ŋ ou ñ");
});

test("la disposition wolof contient ŋ et ñ", () => {
  const lettres = dispositions.wolof.flat();
  assert.ok(lettres.includes("ŋ"));
  assert.ok(lettres.includes("ñ"));
});
