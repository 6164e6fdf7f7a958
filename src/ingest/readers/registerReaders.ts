// Registers the readers that live in their own modules. Importing this module once is enough.
export {};
