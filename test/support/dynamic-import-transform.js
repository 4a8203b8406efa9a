/**
 * Jest runs CommonJS in a VM where `import()` throws without --experimental-vm-modules. A few
 * OpenTelemetry modules load Node's own modules that way (the OTLP exporter's `import('http')`,
 * the machine-id reader): under jest only, those calls become `require` (same module, same API).
 */
module.exports = {
  process(source) {
    return { code: source.replace(/\bimport\((['"][^'"]+['"])\)/g, 'Promise.resolve().then(() => require($1))') };
  },
};
