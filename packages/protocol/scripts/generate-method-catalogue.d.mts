/** Folder of the pinned `@openclaw/gateway-protocol` package the catalogue is generated from. */
export declare const contractDir: string;
/** The text `src/method-catalogue.generated.ts` must have for the pinned contract. */
export declare function renderCatalogue(): string;
