/** class-transformer ships the storage of its decorators without a declaration of this path. */
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
